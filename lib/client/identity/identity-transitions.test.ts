import { describe, expect, it } from "vitest";
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import type { GuestSessionResult } from "./guest-session-client";
import {
  FRESHNESS_WINDOW_IN_MS,
  type IdentityNotice,
  type IdentityState,
  RESYNC_RETRY_FIRST_IN_MS,
  RESYNC_RETRY_MAX_IN_MS,
} from "./identity-state";
import {
  type AnswerCause,
  type AnswerStep,
  DROPPED_COOKIE_STATE,
  type FreshnessCheck,
  type FreshnessVerdict,
  type IdentityContext,
  type TabMessageAction,
  toAnswerStep,
  toDroppedCookieStep,
  toFreshnessCheck,
  toFreshnessVerdict,
  toOwnedToken,
  toResyncRetryDelay,
  toTabMessageAction,
} from "./identity-transitions";
import type { TabMessage } from "./tab-sync";

const EXPIRES = "2999-01-01T00:00:00.000Z";
const guest = (userId: string, socketToken = `tok_${userId}`): GuestSessionResponse => ({
  userId,
  kind: "guest",
  socketToken,
  expiresAt: EXPIRES,
});
const member = (userId: string): GuestSessionResponse => ({ ...guest(userId), kind: "member" });
const ready = (
  session: GuestSessionResponse,
  epoch: number,
  notice: IdentityNotice | null = null,
): IdentityState => ({ status: "ready", session, epoch, notice });

const LOADING: IdentityState = { status: "loading" };
const ENDED: IdentityState = { status: "ended", reason: "revoked" };
const FAILED: IdentityState = {
  status: "error",
  code: "network:client",
  message: "offline",
  httpStatus: 0,
};

const START: AnswerCause = { kind: "start" };
const resync = (notice: IdentityNotice | null): AnswerCause => ({ kind: "resync", notice });
const answer = (session: GuestSessionResponse): GuestSessionResult => ({
  kind: "session",
  session,
});
const ERROR: GuestSessionResult = {
  kind: "error",
  code: "bad_gateway:authority",
  message: "upstream down",
  status: 502,
};
const show = (state: IdentityState, changed: boolean): AnswerStep => {
  if (state.status !== "ready") throw new Error("test: show needs a ready state");
  return { kind: "show", state, changed };
};

// Context shorthands: what the store holds when the answer lands.
const showing = (session: GuestSessionResponse, epoch: number, notice?: IdentityNotice) => ({
  state: ready(session, epoch, notice ?? null),
  shown: session,
  epoch,
});
const FIRST_LOAD: IdentityContext = { state: LOADING, shown: null, epoch: 0 };

describe("toAnswerStep: an answer about the cookies → the next state and its notice", () => {
  it.each<[string, IdentityContext, GuestSessionResult, AnswerCause, AnswerStep]>([
    [
      "a first start shows the cookies' guest in a new epoch, without a notice",
      FIRST_LOAD,
      answer(guest("usr_a")),
      START,
      show(ready(guest("usr_a"), 1), true),
    ],
    [
      "a start naming the user in place keeps the epoch and the notice that is up",
      showing(guest("usr_a"), 1, "signed_in_elsewhere"),
      answer(guest("usr_a", "tok_new")),
      START,
      show(ready(guest("usr_a", "tok_new"), 1, "signed_in_elsewhere"), false),
    ],
    [
      "a start naming another user (the visitor's own doing) is a new epoch, still no notice",
      showing(guest("usr_a"), 1),
      answer(member("usr_m")),
      START,
      show(ready(member("usr_m"), 2), true),
    ],
    [
      "a re-sync from a guest to a member: signed in elsewhere",
      showing(guest("usr_a"), 1),
      answer(member("usr_m")),
      resync("identity_changed"),
      show(ready(member("usr_m"), 2, "signed_in_elsewhere"), true),
    ],
    [
      "a re-sync from a member to a guest: signed out elsewhere",
      showing(member("usr_m"), 4),
      answer(guest("usr_g")),
      resync("identity_changed"),
      show(ready(guest("usr_g"), 5, "signed_out_elsewhere"), true),
    ],
    [
      "a re-sync from one guest to another: identity changed",
      showing(guest("usr_a"), 1),
      answer(guest("usr_b")),
      resync(null),
      show(ready(guest("usr_b"), 2, "identity_changed"), true),
    ],
    [
      "a re-sync after a revocation keeps the caller's reason over the kinds",
      showing(member("usr_m"), 1),
      answer(guest("usr_g")),
      resync("session_revoked"),
      show(ready(guest("usr_g"), 2, "session_revoked"), true),
    ],
    [
      "the caller's reason alone never puts up a notice when the user stayed the same",
      showing(guest("usr_a"), 3),
      answer(guest("usr_a")),
      resync("signed_in_elsewhere"),
      show(ready(guest("usr_a"), 3), false),
    ],
    [
      "after the wait for a merged guest (loading, the guest still shown) the member is announced",
      { state: LOADING, shown: guest("usr_a"), epoch: 1 },
      answer(member("usr_m")),
      resync("signed_in_elsewhere"),
      show(ready(member("usr_m"), 2, "signed_in_elsewhere"), true),
    ],
    [
      "a re-sync in a tab that never showed anyone says nothing",
      FIRST_LOAD,
      answer(guest("usr_a")),
      resync("identity_changed"),
      show(ready(guest("usr_a"), 1), true),
    ],
    [
      "after an end, the next identity is a new epoch, told against the one shown before",
      { state: ENDED, shown: guest("usr_a"), epoch: 2 },
      answer(guest("usr_b")),
      resync("identity_changed"),
      show(ready(guest("usr_b"), 3, "identity_changed"), true),
    ],
    [
      "a guest merged into a member: wait for the member's cookie, never mint",
      showing(guest("usr_a"), 1),
      { kind: "revoked", reason: "merged" },
      resync("identity_changed"),
      { kind: "await_member" },
    ],
    [
      "a revoked guest ends the identity",
      showing(guest("usr_a"), 1),
      { kind: "revoked" },
      resync("identity_changed"),
      { kind: "end", reason: "revoked" },
    ],
    [
      "a revocation for any other reason ends it too",
      showing(member("usr_m"), 1),
      { kind: "revoked", reason: "signed_out" },
      START,
      { kind: "end", reason: "revoked" },
    ],
    [
      "cookies naming nobody end the identity in place",
      showing(guest("usr_a"), 1),
      { kind: "miss" },
      resync("identity_changed"),
      { kind: "end", reason: "miss" },
    ],
    [
      "cookies naming nobody end a loading tab",
      FIRST_LOAD,
      { kind: "miss" },
      START,
      { kind: "end", reason: "miss" },
    ],
    [
      "refused: an error never ends an identity in place (kept, nothing said)",
      showing(guest("usr_a"), 1, "identity_changed"),
      ERROR,
      resync("signed_out_elsewhere"),
      { kind: "keep" },
    ],
    [
      "an error while loading is shown as the error",
      FIRST_LOAD,
      ERROR,
      START,
      {
        kind: "fail",
        state: {
          status: "error",
          code: "bad_gateway:authority",
          message: "upstream down",
          httpStatus: 502,
        },
      },
    ],
    [
      "an error after an end is shown as the error",
      { state: ENDED, shown: guest("usr_a"), epoch: 2 },
      { kind: "error", code: "network:client", message: "offline", status: 0 },
      resync("identity_changed"),
      { kind: "fail", state: FAILED },
    ],
    [
      "refused: a stale answer (a newer request speaks) changes nothing in place",
      showing(guest("usr_a"), 1),
      { kind: "stale" },
      resync("identity_changed"),
      { kind: "ignore" },
    ],
    [
      "refused: a stale answer changes nothing while loading",
      FIRST_LOAD,
      { kind: "stale" },
      START,
      { kind: "ignore" },
    ],
  ])("%s", (_name, context, result, cause, expected) => {
    expect(toAnswerStep(context, result, cause)).toEqual(expected);
  });
});

describe("toDroppedCookieStep: a new guest's cookie that did not stick", () => {
  it.each<[number, ReturnType<typeof toDroppedCookieStep>]>([
    [0, { kind: "retry", attempt: 1 }],
    [1, { kind: "fail", state: DROPPED_COOKIE_STATE }],
    [2, { kind: "fail", state: DROPPED_COOKIE_STATE }],
  ])("attempt %i → %o", (attempt, expected) => {
    expect(toDroppedCookieStep(attempt)).toEqual(expected);
  });

  it("ends in an error that names the handoff and tells the visitor the fix", () => {
    expect(DROPPED_COOKIE_STATE).toMatchObject({ code: "handoff:guest_created", httpStatus: 0 });
    expect(DROPPED_COOKIE_STATE.message).toMatch(/allow cookies/i);
  });
});

describe("toResyncRetryDelay: attempt → delay, doubling, bounded", () => {
  it.each<[number, number]>([
    [0, RESYNC_RETRY_FIRST_IN_MS],
    [1, RESYNC_RETRY_FIRST_IN_MS * 2],
    [2, RESYNC_RETRY_FIRST_IN_MS * 4],
    [3, RESYNC_RETRY_FIRST_IN_MS * 8],
    [4, RESYNC_RETRY_FIRST_IN_MS * 16],
    [5, RESYNC_RETRY_MAX_IN_MS],
    [6, RESYNC_RETRY_MAX_IN_MS],
    [50, RESYNC_RETRY_MAX_IN_MS],
    [5_000, RESYNC_RETRY_MAX_IN_MS],
    [Number.POSITIVE_INFINITY, RESYNC_RETRY_MAX_IN_MS],
    [1.5, RESYNC_RETRY_FIRST_IN_MS * 2],
    [-1, RESYNC_RETRY_FIRST_IN_MS],
    [Number.NaN, RESYNC_RETRY_FIRST_IN_MS],
  ])("attempt %d → %d ms", (attempt, delay) => {
    expect(toResyncRetryDelay(attempt)).toBe(delay);
  });

  it("never shrinks from one attempt to the next and never passes the max", () => {
    let previous = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const delay = toResyncRetryDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(RESYNC_RETRY_MAX_IN_MS);
      previous = delay;
    }
  });
});

const tokenFrom = (userId: string, socketToken = "tok_fresh"): TabMessage => ({
  type: "token:updated",
  from: "tab_x",
  userId,
  socketToken,
  expiresAt: EXPIRES,
});
const identityFrom = (userId: string | null, kind: "guest" | "member" | null): TabMessage => ({
  type: "identity:changed",
  from: "tab_x",
  userId,
  kind,
});
const token = (userId: string, socketToken = "tok_fresh") => ({
  userId,
  socketToken,
  expiresAt: EXPIRES,
});

describe("toTabMessageAction: a broadcast from another tab → what this tab does", () => {
  it.each<[string, IdentityState, string | null, TabMessage, TabMessageAction]>([
    [
      "the token owner's token is offered (adopted when it expires later)",
      ready(guest("usr_a"), 1),
      "usr_a",
      tokenFrom("usr_a"),
      { kind: "offer_token", token: token("usr_a") },
    ],
    [
      "only the owner counts for a token, not the state (the owner's token while loading)",
      LOADING,
      "usr_a",
      tokenFrom("usr_a"),
      { kind: "offer_token", token: token("usr_a") },
    ],
    [
      "refused: a broadcast carrying another user's token is rejected, never adopted",
      ready(guest("usr_a"), 1),
      "usr_a",
      tokenFrom("usr_b", "tok_of_b"),
      { kind: "reject_token", token: token("usr_b", "tok_of_b") },
    ],
    [
      "refused: another user's token naming the member this guest may become is rejected too",
      ready(guest("usr_a"), 1),
      "usr_a",
      tokenFrom("usr_m"),
      { kind: "reject_token", token: token("usr_m") },
    ],
    [
      "refused: a token while this tab owns none (loading) is rejected",
      LOADING,
      null,
      tokenFrom("usr_a"),
      { kind: "reject_token", token: token("usr_a") },
    ],
    [
      "refused: a token after the identity ended is rejected",
      ENDED,
      null,
      tokenFrom("usr_a"),
      { kind: "reject_token", token: token("usr_a") },
    ],
    [
      "an identity change naming the user shown is ignored",
      ready(guest("usr_a"), 1),
      "usr_a",
      identityFrom("usr_a", "guest"),
      { kind: "ignore" },
    ],
    [
      "the user id decides, not the kind the message claims",
      ready(guest("usr_a"), 1),
      "usr_a",
      identityFrom("usr_a", "member"),
      { kind: "ignore" },
    ],
    [
      "a sign-in elsewhere: re-read the cookies, never take the message's word",
      ready(guest("usr_a"), 1),
      "usr_a",
      identityFrom("usr_m", "member"),
      { kind: "resync", notice: "signed_in_elsewhere" },
    ],
    [
      "a sign-out elsewhere (the cookies name nobody): re-read them",
      ready(member("usr_m"), 1),
      "usr_m",
      identityFrom(null, null),
      { kind: "resync", notice: "signed_out_elsewhere" },
    ],
    [
      "another guest elsewhere: re-read the cookies",
      ready(guest("usr_a"), 1),
      "usr_a",
      identityFrom("usr_b", "guest"),
      { kind: "resync", notice: "identity_changed" },
    ],
    [
      "while loading nothing can be compared: re-read the cookies (after the start)",
      LOADING,
      null,
      identityFrom("usr_a", "guest"),
      { kind: "resync", notice: "identity_changed" },
    ],
    [
      "while loading, a member elsewhere: signed in elsewhere",
      LOADING,
      null,
      identityFrom("usr_m", "member"),
      { kind: "resync", notice: "signed_in_elsewhere" },
    ],
    [
      "after an end, a sign-out elsewhere: re-read the cookies",
      ENDED,
      null,
      identityFrom(null, null),
      { kind: "resync", notice: "signed_out_elsewhere" },
    ],
    [
      "after an error, another identity elsewhere: re-read the cookies",
      FAILED,
      null,
      identityFrom("usr_b", "guest"),
      { kind: "resync", notice: "identity_changed" },
    ],
  ])("%s", (_name, state, tokenOwner, message, expected) => {
    expect(toTabMessageAction(message, { state, tokenOwner })).toEqual(expected);
  });
});

describe("toFreshnessCheck: whether a freshness check must ask the server", () => {
  it.each<[string, IdentityState, number, boolean, FreshnessCheck]>([
    ["nothing shown (loading): unknown", LOADING, 60_000, false, { kind: "unknown" }],
    ["nothing shown, even when forced: unknown", LOADING, 0, true, { kind: "unknown" }],
    ["ended: unknown", ENDED, 60_000, false, { kind: "unknown" }],
    ["an error: unknown", FAILED, 60_000, true, { kind: "unknown" }],
    ["just verified: current", ready(guest("usr_a"), 1), 0, false, { kind: "current" }],
    [
      "verified just inside the window: current",
      ready(guest("usr_a"), 1),
      FRESHNESS_WINDOW_IN_MS - 1,
      false,
      { kind: "current" },
    ],
    [
      "at the window's end: look the cookies up",
      ready(guest("usr_a"), 1),
      FRESHNESS_WINDOW_IN_MS,
      false,
      { kind: "look_up", userId: "usr_a" },
    ],
    [
      "forced, just verified: look the cookies up",
      ready(member("usr_m"), 1),
      0,
      true,
      { kind: "look_up", userId: "usr_m" },
    ],
  ])("%s", (_name, state, msSinceVerified, force, expected) => {
    expect(toFreshnessCheck(state, msSinceVerified, force)).toEqual(expected);
  });
});

describe("toFreshnessVerdict: a lookup that never mints, judged against the user shown", () => {
  it.each<[string, GuestSessionResult, FreshnessVerdict]>([
    [
      "the same user: current, and its token is offered",
      answer(guest("usr_a", "tok_later")),
      { kind: "current", token: token("usr_a", "tok_later") },
    ],
    ["another user: changed", answer(member("usr_m")), { kind: "changed" }],
    ["nobody: changed", { kind: "miss" }, { kind: "changed" }],
    ["revoked: changed", { kind: "revoked" }, { kind: "changed" }],
    ["merged: changed", { kind: "revoked", reason: "merged" }, { kind: "changed" }],
    ["refused: an error decides nothing", ERROR, { kind: "unknown" }],
    ["refused: a superseded lookup decides nothing", { kind: "stale" }, { kind: "unknown" }],
  ])("%s", (_name, lookup, expected) => {
    expect(toFreshnessVerdict("usr_a", lookup)).toEqual(expected);
  });
});

describe("toOwnedToken", () => {
  it("keeps the token, its owner and its expiry, and nothing else of the answer", () => {
    expect(toOwnedToken({ ...member("usr_m"), issued: true })).toEqual({
      userId: "usr_m",
      socketToken: "tok_usr_m",
      expiresAt: EXPIRES,
    });
  });
});
