import type { GuestSessionMode } from "../../../shared/contracts/guest-session";
import { createId } from "../../../shared/ids";
import {
  createSession,
  findSessionBySecretHash,
  rotateSessionSecret,
  type SessionRecord,
  touchSession,
} from "../../store/sessions";
import { createGuestUser, touchUser } from "../../store/users";
import type { AuthorityContext } from "../context";
import { createGuestCookieValue, hashGuestSecret } from "../cookies/guest-cookie";
import type { BudgetScope } from "../limits/creation-budget";

/** What a guest-session request comes to, before it is turned into HTTP. */
export type GuestSessionOutcome =
  | {
      kind: "session";
      userId: string;
      sessionId: string;
      generation: number;
      /** A new cookie value to set (created, or re-issued from a legacy token). */
      newCookieValue?: string;
      via: "cookie" | "legacy_token" | "created";
      /** Set when the request's legacy token was looked at (see the response contract). */
      legacy?: "migrated" | "unknown";
    }
  /** `reason`: why it ended; `merged` tells a client its member cookie is on the way. */
  | { kind: "revoked"; reason: string | null }
  | { kind: "miss" }
  /** `scope`: the budget that refused (per address, per network or global); for the log. */
  | { kind: "rate_limited"; retryAfterSeconds: number; scope?: BudgetScope };

export interface GuestSessionInput {
  mode: GuestSessionMode;
  /** A well-formed guest cookie value, or null. */
  cookieValue: string | null;
  legacyToken?: string;
  clientAddress: string;
  userAgent?: string;
}

type SessionOutcome = Extract<GuestSessionOutcome, { kind: "session" }>;

function toSessionOutcome(
  s: SessionRecord,
  via: SessionOutcome["via"],
  newCookieValue?: string,
): SessionOutcome {
  return {
    kind: "session",
    userId: s.userId,
    sessionId: s.id,
    generation: s.generation,
    newCookieValue,
    via,
  };
}

async function findGuestSession(
  ctx: AuthorityContext,
  secret: string,
): Promise<SessionRecord | null> {
  const hash = hashGuestSecret(secret, ctx.secrets.FOYER_GUEST_SESSION_PEPPER);
  const session = await findSessionBySecretHash(ctx.db, hash);
  return session?.kind === "guest" ? session : null;
}

/** A legacy token naming a live guest: rotate to a fresh cookie value for that same session. */
async function reissueFromLegacy(
  ctx: AuthorityContext,
  legacyToken: string,
): Promise<SessionOutcome | null> {
  const session = await findGuestSession(ctx, legacyToken);
  if (!session || session.revokedAt) return null;
  const pepper = ctx.secrets.FOYER_GUEST_SESSION_PEPPER;
  const value = createGuestCookieValue();
  const rotated = await rotateSessionSecret(ctx.db, {
    sessionId: session.id,
    expectedSecretHash: hashGuestSecret(legacyToken, pepper),
    newSecretHash: hashGuestSecret(value, pepper),
  });
  return rotated ? toSessionOutcome(session, "legacy_token", value) : null;
}

async function createGuest(
  ctx: AuthorityContext,
  userAgent: string | undefined,
): Promise<SessionOutcome> {
  const value = createGuestCookieValue();
  const secretHash = hashGuestSecret(value, ctx.secrets.FOYER_GUEST_SESSION_PEPPER);
  const session = await ctx.db.transaction(async (tx) => {
    const user = await createGuestUser(tx, createId("usr"));
    return createSession(tx, {
      id: createId("ses"),
      userId: user.id,
      kind: "guest",
      secretHash,
      userAgent,
    });
  });
  return toSessionOutcome(session, "created", value);
}

/**
 * Decides a guest-session request. Order: a cookie naming a live guest wins; a cookie
 * naming a revoked one is definitive (`revoked`); then a legacy token naming a live guest
 * is re-issued under a new cookie value; then `lookup_only` misses, and
 * `lookup_or_create` creates a guest (within the guest-creation budgets: per client
 * address, per network and global). An unknown cookie
 * or legacy token is simply no session.
 */
export async function resolveGuestSession(
  ctx: AuthorityContext,
  input: GuestSessionInput,
): Promise<GuestSessionOutcome> {
  if (input.cookieValue) {
    const session = await findGuestSession(ctx, input.cookieValue);
    if (session?.revokedAt) return { kind: "revoked", reason: session.endedReason };
    if (session) {
      await Promise.all([touchSession(ctx.db, session.id), touchUser(ctx.db, session.userId)]);
      return toSessionOutcome(session, "cookie");
    }
  }
  let legacy: "unknown" | undefined;
  if (input.legacyToken) {
    const reissued = await reissueFromLegacy(ctx, input.legacyToken);
    if (reissued) return { ...reissued, legacy: "migrated" };
    legacy = "unknown";
  }
  if (input.mode === "lookup_only") return { kind: "miss" };
  const decision = await ctx.limits.guestCreation.consume(input.clientAddress);
  if (!decision.allowed) {
    return {
      kind: "rate_limited",
      retryAfterSeconds: decision.retryAfterSeconds,
      scope: decision.scope,
    };
  }
  return { ...(await createGuest(ctx, input.userAgent)), legacy };
}
