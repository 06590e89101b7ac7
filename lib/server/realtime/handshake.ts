import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { ExtendedError } from "socket.io";
import { toAddressKey } from "../common/address-keys";
import { isSameOrigin } from "../common/same-origin";
import { authenticateToken } from "./authenticate";
import type { GatewayContext } from "./context";
import type { GatewaySocket } from "./handler-kit";
import { sessionRoom, userRoom } from "./rooms";

/** The one refusal message a client sees, whatever failed: it tells an attacker nothing. */
export const HANDSHAKE_REFUSED = "unauthorized";
/**
 * The refusal of a handshake over a socket cap: the new socket is refused (the open ones, a
 * person's tabs, keep working) and the client tells the person to close a tab.
 */
export const TOO_MANY_SOCKETS = "rate_limited:sockets";

/** Which socket cap a new socket of this session and user would pass on this node, if any. */
export function findSocketCap(
  ctx: Pick<GatewayContext, "io" | "budgets">,
  userId: string,
  sessionId: string,
): "sockets_per_session" | "sockets_per_user" | null {
  const { rooms } = ctx.io.sockets.adapter;
  const { socketsPerSession, socketsPerUser } = ctx.budgets.budgets;
  if ((rooms.get(sessionRoom(sessionId))?.size ?? 0) >= socketsPerSession) {
    return "sockets_per_session";
  }
  if ((rooms.get(userRoom(userId))?.size ?? 0) >= socketsPerUser) return "sockets_per_user";
  return null;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** True when the handshake's Origin (or, lacking one, Referer) names this site. */
export function isAllowedOrigin(headers: IncomingHttpHeaders, publicOrigins: string[]): boolean {
  return isSameOrigin(
    {
      origin: first(headers.origin),
      referer: first(headers.referer),
      host: first(headers.host),
      secFetchSite: first(headers["sec-fetch-site"]),
    },
    publicOrigins,
  );
}

/** Engine.IO `allowRequest`: refuses a cross-origin handshake before any Socket.IO work. */
export function createAllowRequest(publicOrigins: string[], ctx: Pick<GatewayContext, "log">) {
  return (
    req: IncomingMessage,
    callback: (err: string | null | undefined, ok: boolean) => void,
  ) => {
    if (isAllowedOrigin(req.headers, publicOrigins)) return callback(null, true);
    ctx.log("gateway.handshake_refused", { reason: "origin" });
    callback("forbidden:origin", false);
  };
}

/**
 * Namespace middleware: the token comes only from `handshake.auth.token` (a token in the
 * query string is never read, so it cannot leak through URLs and logs into a session).
 */
export function createHandshakeMiddleware(ctx: GatewayContext, publicOrigins: string[]) {
  return async (socket: GatewaySocket, next: (err?: ExtendedError) => void): Promise<void> => {
    const refuse = (reason: string) => {
      ctx.log("gateway.handshake_refused", { reason });
      next(new Error(HANDSHAKE_REFUSED));
    };
    try {
      // Checked again here: allowRequest does not run for an engine that already exists.
      if (!isAllowedOrigin(socket.handshake.headers, publicOrigins)) return refuse("origin");
      const auth: unknown = socket.handshake.auth;
      const token = typeof auth === "object" && auth !== null ? Reflect.get(auth, "token") : null;
      const result = await authenticateToken(ctx, token);
      if (!result.ok) return refuse(result.reason);
      const over = findSocketCap(ctx, result.auth.userId, result.auth.sessionId);
      if (over) {
        ctx.log("gateway.handshake_refused", { reason: over, userId: result.auth.userId });
        return next(new Error(TOO_MANY_SOCKETS));
      }
      socket.data = {
        ...result.auth,
        addressKey: toAddressKey(ctx.clientAddressOf(socket.request)),
      };
      // The token has done its work: keep no copy for the socket's lifetime (memory, B9 in
      // docs/benchmarks.md, and one secret fewer in a heap dump).
      socket.handshake.auth = {};
      next();
    } catch (error) {
      ctx.log("gateway.handshake_failed", { error: String(error) });
      next(new Error(HANDSHAKE_REFUSED));
    }
  };
}
