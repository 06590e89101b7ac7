import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createSignInThrottle,
  type SignInLimits,
  toAccountKey,
  toFailureDelayInSeconds,
} from "./sign-in-throttle";

const LIMITS: SignInLimits = {
  perAddress: { points: 1_000, durationInSeconds: 600 },
  freeFailures: 3,
  firstDelayInSeconds: 10,
  maxDelayInSeconds: 100,
  failureMemoryInSeconds: 3_600,
  failuresPerAccount: { points: 1_000, durationInSeconds: 3_600 },
};

describe("toFailureDelayInSeconds", () => {
  it.each([
    [0, 3, 0],
    [2, 3, 0],
    [3, 3, 10],
    [4, 3, 20],
    [5, 3, 40],
    [6, 3, 80],
    [7, 3, 100],
    [1_000_000, 3, 100],
    // No free failures at all still answers the first at once.
    [1, 0, 10],
    [1, 1, 10],
    [2, 1, 20],
  ])("after %i failures with %i free: %i s", (failures, free, delay) => {
    expect(toFailureDelayInSeconds(failures, free, LIMITS)).toBe(delay);
  });
});

describe("toAccountKey", () => {
  it("is a keyed hash: stable, per secret, and never the email", () => {
    const key = toAccountKey("a@x.test", "secret-one-0123456789abcdef0123456789");
    expect(key).toBe(toAccountKey("a@x.test", "secret-one-0123456789abcdef0123456789"));
    expect(key).not.toBe(toAccountKey("b@x.test", "secret-one-0123456789abcdef0123456789"));
    expect(key).not.toBe(toAccountKey("a@x.test", "secret-two-0123456789abcdef0123456789"));
    expect(key).not.toContain("x.test");
  });
});

describe("createSignInThrottle", () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00Z") }));
  afterEach(() => vi.useRealTimers());

  /** A wrong password from `address`, as the route runs it. */
  async function failFrom(throttle: ReturnType<typeof createSignInThrottle>, address: string) {
    const decision = await throttle.begin(address, "acct");
    if (decision.allowed) await throttle.fail("acct");
    return decision;
  }

  it("bounds attempts per address, whatever the account", async () => {
    const throttle = createSignInThrottle({
      ...LIMITS,
      perAddress: { points: 3, durationInSeconds: 60 },
    });
    for (const account of ["a", "b", "c"]) {
      expect(await throttle.begin("203.0.113.1", account)).toEqual({ allowed: true });
    }
    expect((await throttle.begin("203.0.113.1", "d")).allowed).toBe(false);
    expect((await throttle.attempt("203.0.113.1")).allowed).toBe(false);
    expect(await throttle.begin("203.0.113.2", "d")).toEqual({ allowed: true });
  });

  it("slows the failing (account, address) pair with doubling waits, never the account", async () => {
    const throttle = createSignInThrottle(LIMITS);
    for (let i = 0; i < 3; i++)
      expect(await failFrom(throttle, "203.0.113.66")).toEqual({ allowed: true });
    const slowed = await throttle.begin("203.0.113.66", "acct");
    expect(slowed).toEqual({ allowed: false, retryAfterSeconds: 10 });
    // The owner, elsewhere, is not slowed at all.
    expect(await throttle.begin("198.51.100.7", "acct")).toEqual({ allowed: true });
    await throttle.succeed("198.51.100.7", "acct");
    // After the wait the attacker gets one more try, then waits twice as long.
    vi.advanceTimersByTime(10_000);
    expect(await failFrom(throttle, "203.0.113.66")).toEqual({ allowed: true });
    expect(await throttle.begin("203.0.113.66", "acct")).toEqual({
      allowed: false,
      retryAfterSeconds: 20,
    });
    vi.advanceTimersByTime(20_000);
    expect(await failFrom(throttle, "203.0.113.66")).toEqual({ allowed: true });
    expect(await throttle.begin("203.0.113.66", "acct")).toEqual({
      allowed: false,
      retryAfterSeconds: 40,
    });
  });

  it("counts concurrent guesses before their passwords are checked", async () => {
    const throttle = createSignInThrottle(LIMITS);
    const decisions = await Promise.all(
      Array.from({ length: 10 }, () => throttle.begin("203.0.113.9", "acct")),
    );
    // The third attempt already set the wait; the rest see it.
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
  });

  it("starts a pair over after a success", async () => {
    const throttle = createSignInThrottle(LIMITS);
    for (let i = 0; i < 2; i++) await failFrom(throttle, "203.0.113.5");
    expect((await throttle.begin("203.0.113.5", "acct")).allowed).toBe(true);
    await throttle.succeed("203.0.113.5", "acct");
    for (let i = 0; i < 2; i++)
      expect((await failFrom(throttle, "203.0.113.5")).allowed).toBe(true);
    expect((await throttle.begin("203.0.113.5", "acct")).allowed).toBe(true);
  });

  it("past the account's budget, slows every address that failed for it, and no other", async () => {
    const throttle = createSignInThrottle({
      ...LIMITS,
      failuresPerAccount: { points: 4, durationInSeconds: 3_600 },
    });
    // A guesser spreads four failures over four addresses: each stays under its free three.
    for (let host = 1; host <= 4; host++) await failFrom(throttle, `203.0.113.${host}`);
    // Now one failure is enough to make an address wait.
    expect(await failFrom(throttle, "203.0.114.1")).toEqual({ allowed: true });
    expect(await throttle.begin("203.0.114.1", "acct")).toEqual({
      allowed: false,
      retryAfterSeconds: 10,
    });
    // The owner, from an address that has not failed, signs in at once.
    expect(await throttle.begin("198.51.100.7", "acct")).toEqual({ allowed: true });
    await throttle.succeed("198.51.100.7", "acct");
    // Other accounts are not concerned.
    expect(await throttle.begin("203.0.114.1", "other")).toEqual({ allowed: true });
  });
});
