/**
 * Verified identity handoffs (docs/design.md, client invariant 5: every identity handoff is
 * proven to have landed): after any change of identity that travels by cookie, the tab
 * asks the server, with a lookup that never mints, whom the cookies now name, and only
 * reports success when that is who it expected. A mismatch is reported to the server
 * (which logs it naming the step) and the caller re-syncs from the cookies.
 */
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import { type GuestSessionResult, getGuestSessionClient } from "./guest-session-client";

/** Which handoff is being verified; named in the server's log event. */
export type HandoffStep = "guest_created" | "sign_in" | "sign_up" | "sign_out" | "guest_revoked";

/** What the cookies should name after the step. */
export type HandoffExpectation =
  /** Exactly this user. */
  | { userId: string }
  /** Anyone but this user (or nobody): the identity it left. */
  | { notUserId: string };

export type HandoffResult =
  /** `session` is null when the cookies name nobody (a `lookup_only` miss). */
  | { kind: "verified"; session: GuestSessionResponse | null }
  | { kind: "mismatch"; actualUserId: string | null }
  | { kind: "error"; code: string; message: string };

const STALE_RETRIES = 3;

/** Pure: does this lookup answer meet the expectation? */
export function toHandoffResult(
  expected: HandoffExpectation,
  lookup: GuestSessionResult,
): HandoffResult {
  if (lookup.kind === "error") return { kind: "error", code: lookup.code, message: lookup.message };
  if (lookup.kind === "stale")
    return { kind: "error", code: "stale:client", message: "superseded" };
  const session = lookup.kind === "session" ? lookup.session : null;
  const actual = session?.userId ?? null;
  const ok = "userId" in expected ? actual === expected.userId : actual !== expected.notUserId;
  return ok ? { kind: "verified", session } : { kind: "mismatch", actualUserId: actual };
}

export interface VerifyHandoffDeps {
  lookup?: () => Promise<GuestSessionResult>;
  report?: (step: HandoffStep, result: HandoffResult) => void;
}

/** Reports a failed handoff to the server's log (best effort; never throws). */
export function reportHandoffMismatch(step: HandoffStep, result: HandoffResult): void {
  if (result.kind === "verified") return;
  void fetch("/api/web/handoff-report", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    keepalive: true,
    body: JSON.stringify({ step, outcome: result.kind }),
  }).catch(() => {});
}

/**
 * Asks the server whom the cookies name now (`lookup_only`: never creates a guest) and
 * checks it against `expected`. Every non-verified result is reported.
 */
export async function verifyHandoff(
  step: HandoffStep,
  expected: HandoffExpectation,
  deps: VerifyHandoffDeps = {},
): Promise<HandoffResult> {
  const lookup = deps.lookup ?? (() => getGuestSessionClient().refresh("lookup_only"));
  let answer = await lookup();
  // A newer lookup superseded ours: ask again (a few times at most).
  for (let i = 0; answer.kind === "stale" && i < STALE_RETRIES; i++) answer = await lookup();
  const result = toHandoffResult(expected, answer);
  if (result.kind !== "verified") (deps.report ?? reportHandoffMismatch)(step, result);
  return result;
}
