import { z } from "zod";
import { authenticateToken } from "../authenticate";
import { defineHandler, fail, ok } from "../handler-kit";
import { sessionRoom } from "../rooms";

const schema = z.object({ token: z.string().min(1).max(4096) });

const REFUSALS = {
  invalid_token: "The token is invalid or expired.",
  other_user: "The token names another user; the socket keeps its current token.",
  session: "The token's session is not active.",
} as const;

/**
 * `token:refresh {token}` → swaps the socket's token in place. Only a token for the same
 * user is accepted (docs/design.md, S13); on any refusal
 * the socket keeps its current token. Allowed after the old token expired or its session's
 * tokens were rotated (that is how a rotated socket recovers): the new one is verified in
 * full, including its generation.
 */
export const tokenRefresh = defineHandler({
  event: "token:refresh",
  eventClass: "cheap",
  schema,
  refreshesToken: true,
  async handle(ctx, socket, { token }) {
    const result = await authenticateToken(ctx, token, socket.data.userId);
    if (!result.ok) {
      ctx.log("gateway.token_refresh_refused", { reason: result.reason });
      return fail("unauthorized:token", REFUSALS[result.reason]);
    }
    // The session may have been revoked while the token was being checked.
    if (!socket.connected) return fail("revoked:session", "The session was revoked.");
    const { auth } = result;
    const previous = socket.data.sessionId;
    // The socket's budget is the socket's, whatever its token: a refresh refills nothing.
    socket.data = { ...auth, budget: socket.data.budget };
    if (auth.sessionId !== previous) {
      ctx.sessions.retain(auth.sessionId);
      ctx.sessions.release(previous);
      await socket.join(sessionRoom(auth.sessionId));
      await socket.leave(sessionRoom(previous));
    }
    return ok({ expiresAt: new Date(auth.tokenExpiresAt).toISOString() });
  },
});
