import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AUTHORITY_ROUTES } from "../common/authority-contract";
import { toClientAddressKey } from "../common/client-address-proof";
import { mergeGuestIntoMember } from "../store/merge";
import type { AuthorityContext, AuthorityDeps, RouteHandler } from "./context";
import { createAuthorityLimiters, toAuthorityLimits } from "./limits/authority-limits";
import { handleMerge, handleSignIn, handleSignOut, handleSignUp } from "./routes/auth-routes";
import { handleGuestSession } from "./routes/guest-session-route";
import { sendError, sendJson } from "./routes/http-io";
import { handleIdentityResolve } from "./routes/identity-resolve-route";
import { handleRevokeSession } from "./routes/revoke-route";
import {
  handleEndGuestSession,
  handleListSessions,
  handleRevokeOwnSession,
  handleRotateToken,
} from "./routes/sessions-routes";

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  handler: RouteHandler;
}

const handleHealth: RouteHandler = async (_ctx, _req, res) => sendJson(res, 200, { ok: true });

/** A pattern that matches exactly `path`, a path of the route table. */
function exactly(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
}

/** The table of contents: one line per endpoint, its path from `AUTHORITY_ROUTES`. */
const ROUTES: Route[] = [
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.guestSession), handler: handleGuestSession },
  {
    method: "POST",
    pattern: exactly(AUTHORITY_ROUTES.identityResolve),
    handler: handleIdentityResolve,
  },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.signUp), handler: handleSignUp },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.signIn), handler: handleSignIn },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.signOut), handler: handleSignOut },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.merge), handler: handleMerge },
  {
    method: "POST",
    pattern: exactly(AUTHORITY_ROUTES.endGuestSession),
    handler: handleEndGuestSession,
  },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.listSessions), handler: handleListSessions },
  {
    method: "POST",
    pattern: exactly(AUTHORITY_ROUTES.revokeOwnSession),
    handler: handleRevokeOwnSession,
  },
  { method: "POST", pattern: exactly(AUTHORITY_ROUTES.rotateToken), handler: handleRotateToken },
  // AUTHORITY_ROUTES.revokeSession(sessionId)
  { method: "POST", pattern: /^\/v1\/sessions\/([^/]+)\/revoke$/, handler: handleRevokeSession },
  { method: "GET", pattern: exactly(AUTHORITY_ROUTES.health), handler: handleHealth },
];

/** The session authority as a request handler. */
export interface Authority {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

function toPathname(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://authority.invalid").pathname;
  } catch {
    return "/";
  }
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Creates the session authority (docs/design.md §1 and §3.4): owns guest sessions,
 * mints socket tokens, revokes sessions. Mount `handle` on any `node:http` server, or use
 * {@link startAuthorityServer}.
 */
export function createAuthority(deps: AuthorityDeps): Authority {
  const ctx: AuthorityContext = {
    db: deps.db,
    secrets: deps.secrets,
    clientAddressKey: toClientAddressKey(deps.secrets.FOYER_TOKEN_SIGNING_KEY),
    limits: createAuthorityLimiters(toAuthorityLimits(deps.limits), deps.limitStore),
    mergeGuest: deps.mergeGuest ?? mergeGuestIntoMember,
    onSessionChanged: deps.onSessionChanged ?? (() => undefined),
    log: deps.log ?? (() => {}),
  };
  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = toPathname(req.url);
    const matches = ROUTES.map((r) => ({ route: r, match: r.pattern.exec(pathname) })).filter(
      (m) => m.match,
    );
    if (matches.length === 0) return sendError(res, "not_found:route", "authority: no such route");
    const hit = matches.find((m) => m.route.method === req.method);
    if (!hit?.match) {
      const allow = matches.map((m) => m.route.method).join(", ");
      return sendError(res, "method_not_allowed:route", "authority: method not allowed", { allow });
    }
    const params = hit.match.slice(1).map(safeDecode);
    if (params.includes(null)) return sendError(res, "not_found:route", "authority: no such route");
    await hit.route.handler(ctx, req, res, params as string[]);
  }
  return {
    handle(req, res) {
      dispatch(req, res).catch((err: unknown) => {
        // Name and message only: a driver error's detail may quote a parameter.
        const error = err instanceof Error ? `${err.name}: ${err.message}` : "unknown";
        ctx.log("authority.error", { method: req.method, path: toPathname(req.url), error });
        if (!res.headersSent) sendError(res, "internal:server", "authority: internal error");
        else res.destroy();
      });
    },
  };
}

/** A running authority server. `close` stops it (the caller still owns and closes the db). */
export interface RunningAuthority {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Starts the authority on `host` (default 127.0.0.1) and `port` (0: an ephemeral port). */
export async function startAuthorityServer(
  deps: AuthorityDeps & { port: number; host?: string },
): Promise<RunningAuthority> {
  const host = deps.host ?? "127.0.0.1";
  const authority = createAuthority(deps);
  const server = http.createServer((req, res) => authority.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
