import type { MergeSummary } from "../../../shared/contracts/auth";
import type { MintedSocketToken } from "../../common/socket-tokens";
import {
  createSession,
  findSessionBySecretHash,
  getSessionById,
  isSessionLive,
  type RevokedSession,
  revokeSession,
  type SessionEndReason,
  type SessionRecord,
  touchSession,
} from "../../store/sessions";
import { getUserById } from "../../store/users";
import type { AuthorityContext } from "../context";
import { hashGuestSecret } from "../cookies/guest-cookie";
import {
  MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS,
  MEMBER_SESSION_IDLE_TTL_IN_SECONDS,
  sealMemberSession,
  unsealMemberSession,
} from "../cookies/member-cookie";
import { createSocketToken } from "../create-socket-token";

/** A member cookie's standing: live, absent, or naming nothing live (the cookie is cleared). */
export type MemberLookup =
  | { kind: "live"; session: SessionRecord; email: string }
  | { kind: "none" }
  | { kind: "ended" };

/**
 * Tells every gateway about sessions that ended and waits for them before answering.
 * Resolves to false when some node did not confirm in time (the answer then says the
 * revocation is still pending rather than claiming it took effect everywhere).
 */
export async function announceEnded(
  ctx: AuthorityContext,
  ended: readonly RevokedSession[],
  reason: SessionEndReason,
): Promise<boolean> {
  const results = await Promise.all(
    ended.map((e) => ctx.onSessionChanged({ ...e, revoked: true, reason })),
  );
  return results.every((r) => r === undefined || r.confirmed);
}

/**
 * The member session a sealed `__Host-foyer_session` value names. A tampered or foreign
 * value, a revoked session (a replayed signed-out cookie), one past its absolute expiry or
 * idle too long is `ended`. A live one is touched (idle clock) at most once a minute.
 */
export async function lookupMemberSession(
  ctx: AuthorityContext,
  sealed: string | undefined,
): Promise<MemberLookup> {
  if (!sealed) return { kind: "none" };
  const data = await unsealMemberSession(sealed, ctx.secrets.FOYER_SESSION_PASSWORD);
  if (!data) return { kind: "ended" };
  const session = await getSessionById(ctx.db, data.sid);
  if (!session || session.userId !== data.uid || session.kind !== "member") {
    return { kind: "ended" };
  }
  if (!isSessionLive(session)) return { kind: "ended" };
  const idleSince = Date.now() - MEMBER_SESSION_IDLE_TTL_IN_SECONDS * 1000;
  if (session.lastSeenAt.getTime() < idleSince) {
    const ended = await revokeSession(ctx.db, session.id, "expired");
    if (ended) await announceEnded(ctx, [ended], "expired");
    return { kind: "ended" };
  }
  const user = await getUserById(ctx.db, session.userId);
  if (!user?.email) return { kind: "ended" };
  await touchSession(ctx.db, session.id);
  return { kind: "live", session, email: user.email };
}

/** A socket token for a session (guest or member). */
export function mintFor(ctx: AuthorityContext, session: SessionRecord): Promise<MintedSocketToken> {
  return createSocketToken(
    {
      userId: session.userId,
      sessionId: session.id,
      kind: session.kind,
      generation: session.generation,
    },
    ctx.secrets.FOYER_TOKEN_SIGNING_KEY,
  );
}

export interface StartedMemberSession {
  session: SessionRecord;
  seal: string;
  minted: MintedSocketToken;
}

/**
 * Starts a new member session (a new id every time: no fixation) and seals its cookie.
 * A live member session the request already carried is ended as `replaced`.
 */
export async function startMemberSession(
  ctx: AuthorityContext,
  input: { userId: string; userAgent?: string; replacing: MemberLookup },
): Promise<StartedMemberSession> {
  const session = await createSession(ctx.db, {
    userId: input.userId,
    kind: "member",
    secretHash: null,
    userAgent: input.userAgent,
    expiresAt: new Date(Date.now() + MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS * 1000),
  });
  if (input.replacing.kind === "live") {
    const ended = await revokeSession(ctx.db, input.replacing.session.id, "replaced");
    if (ended) await announceEnded(ctx, [ended], "replaced");
  }
  const seal = await sealMemberSession(
    { v: 1, sid: session.id, uid: session.userId },
    ctx.secrets.FOYER_SESSION_PASSWORD,
  );
  return { session, seal, minted: await mintFor(ctx, session) };
}

const NOTHING: Omit<MergeSummary, "status"> = { channels: 0, messages: 0, stars: 0 };

/** A merge's outcome, and whether the guest cookie is now dead and should be cleared. */
export interface GuestMergeOutcome {
  summary: MergeSummary;
  clearGuestCookie: boolean;
}

/**
 * Merges the guest the guest cookie names (and only that: a guest id from anywhere else is
 * never trusted) into `memberId`. Exactly once: a retry after a success finds the guest
 * merged into this member and answers `already_merged`. A failure keeps the guest, its
 * data and its cookie, and answers `failed` for the client to retry.
 */
export async function mergeGuestFromCookie(
  ctx: AuthorityContext,
  guestCookie: string | null,
  memberId: string,
  requestId: string | undefined,
): Promise<GuestMergeOutcome> {
  if (!guestCookie) return { summary: { status: "none", ...NOTHING }, clearGuestCookie: false };
  const hash = hashGuestSecret(guestCookie, ctx.secrets.FOYER_GUEST_SESSION_PEPPER);
  const guestSession = await findSessionBySecretHash(ctx.db, hash);
  if (guestSession?.kind !== "guest") {
    return { summary: { status: "none", ...NOTHING }, clearGuestCookie: true };
  }
  if (!isSessionLive(guestSession)) {
    // Ended guests are never merged; a retry after our own merge is the one exception.
    const guest = await getUserById(ctx.db, guestSession.userId);
    const status = guest?.mergedInto === memberId ? "already_merged" : "none";
    return { summary: { status, ...NOTHING }, clearGuestCookie: true };
  }
  try {
    const result = await ctx.mergeGuest(ctx.db, guestSession.userId, memberId);
    if (result.status === "merged") {
      await announceEnded(ctx, result.endedSessions, "merged");
      ctx.log("merge.completed", {
        requestId,
        guestId: guestSession.userId,
        memberId,
        channels: result.channels,
        messages: result.messages,
        stars: result.stars,
      });
      const { channels, messages, stars } = result;
      return { summary: { status: "merged", channels, messages, stars }, clearGuestCookie: true };
    }
    if (result.status === "already_merged") {
      return { summary: { status: "already_merged", ...NOTHING }, clearGuestCookie: true };
    }
    ctx.log("merge.refused", { requestId, guestId: guestSession.userId, reason: result.reason });
    return { summary: { status: "none", ...NOTHING }, clearGuestCookie: true };
  } catch (error) {
    ctx.log("merge.failed", {
      requestId,
      guestId: guestSession.userId,
      memberId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown",
    });
    return { summary: { status: "failed", ...NOTHING }, clearGuestCookie: false };
  }
}
