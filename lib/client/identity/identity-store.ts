/**
 * The tab's identity: who the cookies name, the token manager that owns the socket token,
 * and the one function that changes identity. Hooks read it; they never patch identity
 * piecemeal (CONTRIBUTING.md: an identity change goes through the identity store).
 *
 * Enforces docs/design.md, client invariant 5: when the cookies' identity changes in another
 * tab (sign-in, sign-out, a revoked guest) this tab re-syncs as a whole: query cache (queries
 * and mutations) cleared, token owner replaced, socket rebuilt (the chat remounts per
 * identity epoch, dropping anything the old socket had buffered), and a visible notice.
 * A freshness check (`checkFreshness`) re-reads the cookies before a token is used after a
 * while, when the tab becomes visible and when it is back online, so a tab that missed the
 * broadcast catches up.
 */
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import type { GuestSessionResult } from "./guest-session-client";
import { verifyHandoff } from "./handoff";
import {
  type IdentityNotice,
  type IdentityState,
  type IdentityStore,
  type IdentityStoreDeps,
  MERGED_WAIT_STEPS_IN_MS,
} from "./identity-state";
import {
  type AnswerCause,
  type AnswerStep,
  toAnswerStep,
  toDroppedCookieStep,
  toFreshnessCheck,
  toFreshnessVerdict,
  toOwnedToken,
  toResyncRetryDelay,
  toTabMessageAction,
} from "./identity-transitions";
import type { TabMessage } from "./tab-sync";
import { createTokenManager } from "./token-manager";

export * from "./identity-state";

/** The store's state and effects; every decision is one of identity-transitions.ts. */
export function createIdentityStore(deps: IdentityStoreDeps): IdentityStore {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const listeners = new Set<() => void>();
  let state: IdentityState = { status: "loading" };
  let epoch = 0;
  let resyncs = 0;
  let lastVerifiedAt = 0;
  let pendingResync = false;
  /** A start's request is in flight: a re-sync asked meanwhile runs after it. */
  let starting = false;
  /** The identity the tab last showed (kept through loading states, for the notice). */
  let shown: GuestSessionResponse | null = null;
  /** Bumped by every start, re-sync and wait: a wait that was overtaken stops. */
  let turn = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Re-syncs in a row that could not reach the server (the backoff's exponent). */
  let retries = 0;

  function set(next: IdentityState): void {
    state = next;
    for (const listener of listeners) listener();
  }

  const tokens = createTokenManager({
    lookup: () => deps.guestSessions.refresh("lookup_only"),
    rotate: deps.rotate,
    announce: (token) => deps.post({ type: "token:updated", ...token }),
    onMismatch: () => void resync("identity_changed"),
  });

  /** Performs what an answer leads to; false when it was stale (a newer request speaks). */
  function perform(step: AnswerStep): boolean {
    switch (step.kind) {
      case "show":
        // The one identity change: token owner swapped, cache cleared, socket rebuilt (epoch).
        tokens.setAuthoritative(toOwnedToken(step.state.session));
        lastVerifiedAt = now();
        if (step.changed) deps.queryClient.clear();
        epoch = step.state.epoch;
        shown = step.state.session;
        set(step.state);
        return true;
      case "await_member":
        void awaitMember();
        return true;
      case "end":
        end(step.reason);
        return true;
      case "fail":
        set(step.state);
        return true;
      case "keep":
        return true;
      case "ignore":
        return false;
    }
  }

  const answer = (result: GuestSessionResult, cause: AnswerCause) =>
    perform(toAnswerStep({ state, shown, epoch }, result, cause));

  /**
   * The guest became a member in another tab whose answer (carrying the member cookie) may
   * not have reached the browser yet. Never mint a guest meanwhile: poll with lookups that
   * never mint until the cookies name the member, and only then fall back to a cold start.
   */
  async function awaitMember(): Promise<void> {
    const mine = ++turn;
    tokens.clear();
    set({ status: "loading" });
    for (const delay of MERGED_WAIT_STEPS_IN_MS) {
      await sleep(delay);
      if (mine !== turn) return; // a newer start or re-sync took over
      const result = await deps.guestSessions.refresh("lookup_only");
      if (mine !== turn) return;
      // Only the member's session ends the wait: cookies naming nobody yet are expected.
      if (result.kind === "session") {
        answer(result, { kind: "resync", notice: "signed_in_elsewhere" });
        return;
      }
    }
    await start();
  }

  function end(reason: "revoked" | "miss"): void {
    // Nothing started before this may act afterwards (a wait, a scheduled re-sync retry).
    turn += 1;
    clearTimeout(retryTimer);
    tokens.clear();
    deps.guestSessions.clear();
    deps.queryClient.clear();
    epoch += 1;
    set({ status: "ended", reason });
  }

  /**
   * The guest cookie this answer set must have stuck before the tab relies on it: a lookup
   * that never mints has to name the same guest.
   */
  async function verifyIssued(session: GuestSessionResponse): Promise<boolean> {
    const verified = await verifyHandoff(
      "guest_created",
      { userId: session.userId },
      { lookup: () => deps.guestSessions.refresh("lookup_only"), report: deps.reportHandoff },
    );
    return verified.kind === "verified";
  }

  async function start(attempt = 0): Promise<void> {
    turn += 1;
    const cold = state.status !== "ready";
    if (cold) set({ status: "loading" });
    pendingResync = false;
    starting = true;
    const result = await deps.guestSessions.request("lookup_or_create").finally(() => {
      starting = false;
    });
    if (
      result.kind === "session" &&
      result.session.issued &&
      !(await verifyIssued(result.session))
    ) {
      const step = toDroppedCookieStep(attempt);
      if (step.kind === "retry") return start(step.attempt);
      set(step.state);
      return;
    }
    if (!answer(result, { kind: "start" })) return;
    if (result.kind === "session" && cold) {
      // Convergence without Web Locks: other cold tabs compare and re-read the cookie.
      deps.post({
        type: "identity:changed",
        userId: result.session.userId,
        kind: result.session.kind,
      });
    }
    if (pendingResync) await resync("identity_changed");
  }

  async function resync(notice: IdentityNotice | null = "identity_changed"): Promise<void> {
    if (starting) {
      pendingResync = true;
      return;
    }
    resyncs += 1;
    const mine = ++turn;
    clearTimeout(retryTimer);
    const result = await deps.guestSessions.refresh("lookup_or_create");
    answer(result, { kind: "resync", notice });
    if (result.kind !== "error") {
      retries = 0;
      return;
    }
    // The cookies could not be read (offline, the server restarting). Something made this
    // re-sync necessary, so it is not dropped: try again, backing off, until it answers.
    retryTimer = setTimeout(() => {
      if (mine === turn) void resync(notice);
    }, toResyncRetryDelay(retries++));
  }

  async function checkFreshness(options: { force?: boolean } = {}) {
    const check = toFreshnessCheck(state, now() - lastVerifiedAt, options.force === true);
    if (check.kind !== "look_up") return check.kind;
    const lookup = await deps.guestSessions.refresh("lookup_only");
    const verdict = toFreshnessVerdict(check.userId, lookup);
    if (verdict.kind === "current") {
      lastVerifiedAt = now();
      tokens.offer(verdict.token, "cookie");
    } else if (verdict.kind === "changed") {
      await resync("identity_changed");
    }
    return verdict.kind;
  }

  function receive(message: TabMessage): void {
    const action = toTabMessageAction(message, { state, tokenOwner: tokens.owner });
    if (action.kind === "offer_token") tokens.offer(action.token, "tab");
    else if (action.kind === "reject_token") tokens.reject(action.token, "tab");
    else if (action.kind === "resync") void resync(action.notice);
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tokens,
    start,
    resync,
    checkFreshness,
    receive,
    end,
    dismissNotice() {
      if (state.status === "ready" && state.notice !== null) set({ ...state, notice: null });
    },
    diagnostics: () => {
      const t = tokens.diagnostics();
      return {
        userId: state.status === "ready" ? state.session.userId : null,
        epoch,
        resyncs,
        tokenAdopted: t.adopted,
        tokenRejected: t.rejected,
        tokenExpiresAt: t.expiresAt,
      };
    },
  };
}
