/**
 * The identity store's contract: its states, what it needs and what it offers (the store
 * itself is identity-store.ts, its decisions identity-transitions.ts), and the pure rule for
 * what a change tells the visitor.
 */
import type { QueryClient } from "@tanstack/react-query";
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import type { GuestSessionClient } from "./guest-session-client";
import type { HandoffResult, HandoffStep } from "./handoff";
import type { postTabMessage, TabMessage } from "./tab-sync";
import type { RotationResult, TokenManager } from "./token-manager";

/** Why the identity changed, as the tab tells the visitor. */
export type IdentityNotice =
  | "signed_in_elsewhere"
  | "signed_out_elsewhere"
  /** The session was ended from elsewhere (the Sessions page of another device). */
  | "session_revoked"
  | "identity_changed";

export type IdentityState =
  | { status: "loading" }
  | {
      status: "ready";
      session: GuestSessionResponse;
      /** Bumped on every change of user: the chat (and its socket) is keyed by it. */
      epoch: number;
      notice: IdentityNotice | null;
    }
  | { status: "error"; code: string; message: string; httpStatus: number }
  | { status: "ended"; reason: "revoked" | "miss" };

/** Re-read the cookies at most this often before a token is used. */
export const FRESHNESS_WINDOW_IN_MS = 2_000;
/**
 * When the guest was merged by a sign-in in another tab, the member cookie arrives with that
 * tab's answer: wait this long, in these steps, with lookups that never mint.
 */
export const MERGED_WAIT_STEPS_IN_MS = [100, 200, 400, 800, 1_500, 2_000];
/** A re-sync that could not reach the server is tried again after this, doubling, up to the max. */
export const RESYNC_RETRY_FIRST_IN_MS = 1_000;
export const RESYNC_RETRY_MAX_IN_MS = 30_000;

export interface IdentityStoreDeps {
  guestSessions: GuestSessionClient;
  queryClient: Pick<QueryClient, "clear">;
  /** Posts to the other tabs. */
  post: (message: Parameters<typeof postTabMessage>[0]) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Rotates the session's tokens; without it, renewals only re-fetch. */
  rotate?: (token: string) => Promise<RotationResult>;
  /** Reports a handoff that did not verify (the server logs it, naming the step). */
  reportHandoff?: (step: HandoffStep, result: HandoffResult) => void;
  now?: () => number;
}

export interface IdentityDiagnostics {
  userId: string | null;
  epoch: number;
  resyncs: number;
  tokenAdopted: number;
  tokenRejected: number;
  tokenExpiresAt: string | null;
}

export interface IdentityStore {
  getState(): IdentityState;
  subscribe(listener: () => void): () => void;
  readonly tokens: TokenManager;
  /** Cold start (or a retry after an error): the cookies' identity, creating a guest if none. */
  start(attempt?: number): Promise<void>;
  /** Re-reads the cookies as a whole and applies what they name. */
  resync(notice?: IdentityNotice | null): Promise<void>;
  /** A lookup that never mints: same user → fresher token; anything else → `resync`. */
  checkFreshness(options?: { force?: boolean }): Promise<"current" | "changed" | "unknown">;
  /** A message from another tab. */
  receive(message: TabMessage): void;
  /** The session ended under us (revoked, or the cookie is gone). */
  end(reason: "revoked" | "miss"): void;
  /** The visitor read the notice. */
  dismissNotice(): void;
  diagnostics(): IdentityDiagnostics;
}

/**
 * What the tab tells the visitor when the cookies now name `next` instead of the identity it
 * showed (`before`): nothing when it is the same user; `fallback` when the caller knows why
 * (a revocation from elsewhere); otherwise judged from the kinds.
 */
export function toIdentityNotice(
  before: GuestSessionResponse | null,
  next: GuestSessionResponse,
  fallback: IdentityNotice | null,
): IdentityNotice | null {
  if (!before || before.userId === next.userId) return fallback;
  if (fallback === "session_revoked") return fallback;
  if (next.kind === "member") return "signed_in_elsewhere";
  if (before.kind === "member") return "signed_out_elsewhere";
  return fallback ?? "identity_changed";
}
