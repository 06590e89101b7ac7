/**
 * The identity store's decisions as pure functions: what an answer about the cookies leads
 * to, how long a re-sync that could not reach the server waits, what a message from another
 * tab asks for, and whether a freshness check must ask the server. `createIdentityStore`
 * (identity-store.ts) holds the state and performs what these decide; they are tested as
 * tables (identity-transitions.test.ts).
 */
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import type { GuestSessionResult } from "./guest-session-client";
import {
  FRESHNESS_WINDOW_IN_MS,
  type IdentityNotice,
  type IdentityState,
  RESYNC_RETRY_FIRST_IN_MS,
  RESYNC_RETRY_MAX_IN_MS,
  toIdentityNotice,
} from "./identity-state";
import type { TabMessage } from "./tab-sync";
import type { OwnedToken } from "./token-manager";

export type ReadyState = Extract<IdentityState, { status: "ready" }>;
export type ErrorState = Extract<IdentityState, { status: "error" }>;

/** What the store holds when an answer lands. */
export interface IdentityContext {
  state: IdentityState;
  /** The identity the tab last showed, kept through loading states; null before the first. */
  shown: GuestSessionResponse | null;
  /** Bumped on every change of user and every end: the chat (and its socket) is keyed by it. */
  epoch: number;
}

/** Who asked the cookies, which decides what the visitor is told. */
export type AnswerCause =
  /** A start (the first load, a retry): the visitor's own doing, so never a notice. */
  | { kind: "start" }
  /**
   * A re-sync (or the wait for a merged guest's member): the notice is judged from what the
   * tab showed; `notice` is the caller's reason, when it knows one.
   */
  | { kind: "resync"; notice: IdentityNotice | null };

/** What an answer from the guest-session client leads to. */
export type AnswerStep =
  /**
   * Show this identity and make its user the token owner. `changed` (another user than the
   * one in place): clear the query cache; the new epoch rebuilds the socket.
   */
  | { kind: "show"; state: ReadyState; changed: boolean }
  /** The guest was merged into a member whose cookie is on its way: wait for it, never mint. */
  | { kind: "await_member" }
  /** The session is over: drop the token, the client's state and the cache. */
  | { kind: "end"; reason: "revoked" | "miss" }
  /** Nothing is in place and the cookies could not be read: show the error. */
  | { kind: "fail"; state: ErrorState }
  /** An error never ends an identity that is still in place: keep it, say nothing. */
  | { kind: "keep" }
  /** A stale answer (a newer request speaks for the cookies): nothing happened. */
  | { kind: "ignore" };

/** The token a guest-session answer carries, with its owner. */
export function toOwnedToken(session: GuestSessionResponse): OwnedToken {
  return { userId: session.userId, socketToken: session.socketToken, expiresAt: session.expiresAt };
}

/**
 * The ready state an answer naming `session` leads to (docs/design.md, client invariant 5: a change
 * of user is a new epoch). The notice shows only when the user changed from one the tab
 * showed; the same user keeps whatever notice is up.
 */
function toShownStep(
  { state, shown, epoch }: IdentityContext,
  session: GuestSessionResponse,
  notice: IdentityNotice | null,
): AnswerStep {
  const ready = state.status === "ready" ? state : null;
  const changed = ready?.session.userId !== session.userId;
  const fromShown = shown !== null && shown.userId !== session.userId;
  return {
    kind: "show",
    changed,
    state: {
      status: "ready",
      session,
      epoch: changed ? epoch + 1 : epoch,
      notice: changed && fromShown ? notice : (ready?.notice ?? null),
    },
  };
}

/**
 * What an answer about the cookies leads to, given what the store holds and who asked:
 * the next state and the notice it carries, a wait, an end, or nothing.
 */
export function toAnswerStep(
  context: IdentityContext,
  result: GuestSessionResult,
  cause: AnswerCause,
): AnswerStep {
  switch (result.kind) {
    case "session": {
      const notice =
        cause.kind === "start"
          ? null
          : toIdentityNotice(context.shown, result.session, cause.notice);
      return toShownStep(context, result.session, notice);
    }
    case "revoked":
      return result.reason === "merged"
        ? { kind: "await_member" }
        : { kind: "end", reason: "revoked" };
    case "miss":
      return { kind: "end", reason: "miss" };
    case "error":
      if (context.state.status === "ready") return { kind: "keep" };
      return {
        kind: "fail",
        state: {
          status: "error",
          code: result.code,
          message: result.message,
          httpStatus: result.status,
        },
      };
    case "stale":
      return { kind: "ignore" };
  }
}

/** The error a browser that keeps dropping Foyer's guest cookie ends in. */
export const DROPPED_COOKIE_STATE: ErrorState = {
  status: "error",
  code: "handoff:guest_created",
  message: "Your browser did not keep Foyer's session cookie. Allow cookies for this site.",
  httpStatus: 0,
};

/**
 * A start whose new guest cookie did not stick (the lookup after it named someone else, or
 * nobody): attempt 0 gets one fresh try, any later one the clear error, never a new guest
 * per request.
 */
export function toDroppedCookieStep(
  attempt: number,
): { kind: "retry"; attempt: number } | { kind: "fail"; state: ErrorState } {
  return attempt === 0
    ? { kind: "retry", attempt: 1 }
    : { kind: "fail", state: DROPPED_COOKIE_STATE };
}

/**
 * How long the `attempt`th retry (0 first) of a re-sync that could not reach the server
 * waits: {@link RESYNC_RETRY_FIRST_IN_MS}, doubling, never more than
 * {@link RESYNC_RETRY_MAX_IN_MS}. Anything below 0 (or not a number) counts as the first.
 */
export function toResyncRetryDelay(attempt: number): number {
  const n = attempt > 0 ? Math.floor(attempt) : 0;
  return Math.min(RESYNC_RETRY_FIRST_IN_MS * 2 ** n, RESYNC_RETRY_MAX_IN_MS);
}

/** What a message from another tab asks of this one. */
export type TabMessageAction =
  /** Nothing: it names the user this tab already shows. */
  | { kind: "ignore" }
  /** The token owner's token: offer it to the token manager (adopted when it is later). */
  | { kind: "offer_token"; token: OwnedToken }
  /**
   * Another user's token, or a token while this tab owns none: never adopted. The token
   * manager counts it and the identity re-syncs from the cookies.
   */
  | { kind: "reject_token"; token: OwnedToken }
  /** The cookies may name someone else now: re-read them as a whole, with this notice. */
  | { kind: "resync"; notice: IdentityNotice };

/**
 * What a tab-sync message asks for (docs/design.md, client invariants 2 and 5). A message is a hint
 * only: an identity change makes this tab re-read the cookies, never take the message's
 * word; a token is adopted only when it names the user whose tokens this tab holds.
 */
export function toTabMessageAction(
  message: TabMessage,
  current: { state: IdentityState; tokenOwner: string | null },
): TabMessageAction {
  if (message.type === "token:updated") {
    const { userId, socketToken, expiresAt } = message;
    const token = { userId, socketToken, expiresAt };
    const owned = current.tokenOwner !== null && userId === current.tokenOwner;
    return owned ? { kind: "offer_token", token } : { kind: "reject_token", token };
  }
  const { state } = current;
  if (state.status === "ready" && message.userId === state.session.userId)
    return { kind: "ignore" };
  if (message.kind === "member") return { kind: "resync", notice: "signed_in_elsewhere" };
  if (message.userId === null) return { kind: "resync", notice: "signed_out_elsewhere" };
  return { kind: "resync", notice: "identity_changed" };
}

/** How a freshness check begins. */
export type FreshnessCheck =
  /** No identity is shown: there is nothing to be fresh about. */
  | { kind: "unknown" }
  /** Verified within {@link FRESHNESS_WINDOW_IN_MS} (and not forced): no need to ask. */
  | { kind: "current" }
  /** Ask the cookies (with a lookup that never mints) whether they still name this user. */
  | { kind: "look_up"; userId: string };

/**
 * Whether a freshness check can answer without the server, given the state, how long ago
 * the identity was last verified and whether the caller forces a look-up.
 */
export function toFreshnessCheck(
  state: IdentityState,
  msSinceVerified: number,
  force: boolean,
): FreshnessCheck {
  if (state.status !== "ready") return { kind: "unknown" };
  if (!force && msSinceVerified < FRESHNESS_WINDOW_IN_MS) return { kind: "current" };
  return { kind: "look_up", userId: state.session.userId };
}

/** What a freshness lookup (one that never mints) says about the user the tab shows. */
export type FreshnessVerdict =
  /** Still this user: the token it carries is offered (a fresher one is adopted). */
  | { kind: "current"; token: OwnedToken }
  /** Someone else, or nobody: the identity re-syncs as a whole. */
  | { kind: "changed" }
  /** No answer to go by (an error, a superseded lookup): nothing is decided. */
  | { kind: "unknown" };

/** Judges a freshness lookup's answer against the user the tab shows (`expectedUserId`). */
export function toFreshnessVerdict(
  expectedUserId: string,
  lookup: GuestSessionResult,
): FreshnessVerdict {
  if (lookup.kind === "stale" || lookup.kind === "error") return { kind: "unknown" };
  if (lookup.kind === "session" && lookup.session.userId === expectedUserId) {
    return { kind: "current", token: toOwnedToken(lookup.session) };
  }
  return { kind: "changed" };
}
