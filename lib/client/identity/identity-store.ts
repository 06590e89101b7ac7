/**
 * The tab's identity: who the cookies name, the token manager that owns the socket token,
 * and the one function that changes identity. Hooks read it; they never patch identity
 * piecemeal (STYLE "client identity change").
 *
 * Enforces DESIGN.md client invariant 5: when the cookies' identity changes in another tab
 * (sign-in, sign-out, a revoked guest) this tab re-syncs as a whole: query cache (queries
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
  FRESHNESS_WINDOW_IN_MS,
  type IdentityNotice,
  type IdentityState,
  type IdentityStore,
  type IdentityStoreDeps,
  MERGED_WAIT_STEPS_IN_MS,
  RESYNC_RETRY_FIRST_IN_MS,
  RESYNC_RETRY_MAX_IN_MS,
  toIdentityNotice,
} from "./identity-state";
import type { TabMessage } from "./tab-sync";
import { createTokenManager, type OwnedToken } from "./token-manager";

export * from "./identity-state";

const toOwned = (s: GuestSessionResponse): OwnedToken => ({
  userId: s.userId,
  socketToken: s.socketToken,
  expiresAt: s.expiresAt,
});

export function createIdentityStore(deps: IdentityStoreDeps): IdentityStore {
  const now = deps.now ?? Date.now;
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
  let retryDelay = RESYNC_RETRY_FIRST_IN_MS;

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

  function currentUserId(): string | null {
    return state.status === "ready" ? state.session.userId : null;
  }

  /**
   * The one identity change: cache cleared, token owner swapped, socket rebuilt (epoch). The
   * notice shows only when the user changed from one the tab showed.
   */
  function applyIdentity(session: GuestSessionResponse, notice: IdentityNotice | null): void {
    const previous = currentUserId();
    const kept = state.status === "ready" ? state.notice : null;
    tokens.setAuthoritative(toOwned(session));
    lastVerifiedAt = now();
    const changed = previous !== session.userId;
    if (changed) {
      deps.queryClient.clear();
      epoch += 1;
    }
    const fromShown = shown !== null && shown.userId !== session.userId;
    shown = session;
    set({ status: "ready", session, epoch, notice: changed && fromShown ? notice : kept });
  }

  const toNotice = (next: GuestSessionResponse, fallback: IdentityNotice | null) =>
    toIdentityNotice(shown, next, fallback);

  function apply(result: GuestSessionResult, notice: IdentityNotice | null): boolean {
    switch (result.kind) {
      case "session":
        applyIdentity(result.session, toNotice(result.session, notice));
        return true;
      case "revoked":
        if (result.reason === "merged") {
          void awaitMember();
          return true;
        }
        end("revoked");
        return true;
      case "miss":
        end("miss");
        return true;
      case "error":
        // An error never ends an identity that is still in place: keep it, say nothing.
        if (state.status !== "ready") {
          set({
            status: "error",
            code: result.code,
            message: result.message,
            httpStatus: result.status,
          });
        }
        return true;
      case "stale":
        return false;
    }
  }

  /**
   * The guest became a member in another tab whose answer (carrying the member cookie) may
   * not have reached the browser yet. Never mint a guest meanwhile: poll with lookups that
   * never mint until the cookies name the member, and only then fall back to a cold start.
   */
  async function awaitMember(): Promise<void> {
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const mine = ++turn;
    tokens.clear();
    set({ status: "loading" });
    for (const delay of MERGED_WAIT_STEPS_IN_MS) {
      await sleep(delay);
      if (mine !== turn) return; // a newer start or re-sync took over
      const result = await deps.guestSessions.refresh("lookup_only");
      if (mine !== turn) return;
      if (result.kind === "session") {
        applyIdentity(result.session, toNotice(result.session, "signed_in_elsewhere"));
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
   * that never mints has to name the same guest. A browser that drops the cookie (blocked
   * cookies) gets one fresh try, then a clear error instead of a new guest per request.
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
      if (attempt === 0) return start(1);
      set({
        status: "error",
        code: "handoff:guest_created",
        message: "Your browser did not keep Foyer's session cookie. Allow cookies for this site.",
        httpStatus: 0,
      });
      return;
    }
    // A start shows who the cookies name; it is the visitor's own doing: no notice.
    if (result.kind === "session") applyIdentity(result.session, null);
    else if (!apply(result, null)) return;
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
    apply(result, notice);
    if (result.kind !== "error") {
      retryDelay = RESYNC_RETRY_FIRST_IN_MS;
      return;
    }
    // The cookies could not be read (offline, the server restarting). Something made this
    // re-sync necessary, so it is not dropped: try again, backing off, until it answers.
    retryTimer = setTimeout(() => {
      if (mine === turn) void resync(notice);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RESYNC_RETRY_MAX_IN_MS);
  }

  async function checkFreshness(options: { force?: boolean } = {}) {
    if (state.status !== "ready") return "unknown" as const;
    if (!options.force && now() - lastVerifiedAt < FRESHNESS_WINDOW_IN_MS)
      return "current" as const;
    const expected = state.session.userId;
    const result = await deps.guestSessions.refresh("lookup_only");
    if (result.kind === "stale" || result.kind === "error") return "unknown" as const;
    if (result.kind === "session" && result.session.userId === expected) {
      lastVerifiedAt = now();
      tokens.offer(toOwned(result.session), "cookie");
      return "current" as const;
    }
    await resync("identity_changed");
    return "changed" as const;
  }

  function receive(message: TabMessage): void {
    if (message.type === "token:updated") {
      tokens.offer(
        { userId: message.userId, socketToken: message.socketToken, expiresAt: message.expiresAt },
        "tab",
      );
      return;
    }
    // The message is a hint only: the cookies, re-read here, say who we are.
    if (state.status === "ready" && message.userId === state.session.userId) return;
    const notice: IdentityNotice =
      message.kind === "member"
        ? "signed_in_elsewhere"
        : message.userId === null
          ? "signed_out_elsewhere"
          : "identity_changed";
    void resync(notice);
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
        userId: currentUserId(),
        epoch,
        resyncs,
        tokenAdopted: t.adopted,
        tokenRejected: t.rejected,
        tokenExpiresAt: t.expiresAt,
      };
    },
  };
}
