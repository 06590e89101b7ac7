import type { IdentityKind } from "../../shared/contracts/identity";
import { verifySocketToken } from "../common/socket-tokens";
import type { GatewayContext } from "./context";

/** Who a verified socket token speaks for, checked against the session's current state. */
export interface SocketAuth {
  userId: string;
  sessionId: string;
  kind: IdentityKind;
  generation: number;
  /** Epoch milliseconds. */
  tokenExpiresAt: number;
}

export type AuthenticateResult =
  | { ok: true; auth: SocketAuth }
  | { ok: false; reason: "invalid_token" | "other_user" | "session" };

/**
 * Verifies `token` (signature, issuer, audience, expiry) and then its session: it must
 * exist, be unrevoked, belong to the token's user and be at the token's generation. The
 * state read is merged into the in-memory generations first, so a revoke applied while the
 * read was in flight still wins. The read is skipped when the in-memory entry vouches for
 * the session (read in this receiving epoch, every change heard since: a reconnect or a
 * second tab). `expectedUserId` (token refresh) refuses any other user.
 */
export async function authenticateToken(
  ctx: Pick<GatewayContext, "signingKey" | "loadSessionState" | "sessions">,
  token: unknown,
  expectedUserId?: string,
): Promise<AuthenticateResult> {
  if (typeof token !== "string") return { ok: false, reason: "invalid_token" };
  let claims: Awaited<ReturnType<typeof verifySocketToken>>;
  try {
    claims = await verifySocketToken(token, ctx.signingKey);
  } catch {
    return { ok: false, reason: "invalid_token" };
  }
  if (expectedUserId !== undefined && claims.userId !== expectedUserId) {
    return { ok: false, reason: "other_user" };
  }
  const { sessions } = ctx;
  if (!sessions.vouchesFor(claims.sessionId, claims.userId, claims.generation)) {
    const epoch = sessions.epoch;
    const state = await ctx.loadSessionState(claims.sessionId);
    if (!state || state.userId !== claims.userId) return { ok: false, reason: "session" };
    const expiresAt = state.expiresAt ? state.expiresAt.getTime() : null;
    const verified = { userId: state.userId, expiresAt, epoch };
    sessions.record(
      claims.sessionId,
      { generation: state.generation, revoked: state.revoked },
      verified,
    );
    if (!sessions.isCurrent(claims.sessionId, claims.generation)) {
      return { ok: false, reason: "session" };
    }
  }
  return {
    ok: true,
    auth: {
      userId: claims.userId,
      sessionId: claims.sessionId,
      kind: claims.kind,
      generation: claims.generation,
      tokenExpiresAt: claims.expiresAt.getTime(),
    },
  };
}
