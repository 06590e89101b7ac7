import { describe, expect, it } from "vitest";
import {
  createGuestCreationLimiter,
  createSignInLimiter,
  toRateLimitKey,
} from "./authority-limits";

describe("createGuestCreationLimiter", () => {
  it("allows `points` creations per address, then tells when to retry", async () => {
    const limiter = createGuestCreationLimiter({ points: 2, durationInSeconds: 30 });
    expect(await limiter.consume("a")).toEqual({ allowed: true });
    expect(await limiter.consume("a")).toEqual({ allowed: true });
    const denied = await limiter.consume("a");
    expect(denied.allowed).toBe(false);
    if (!denied.allowed) expect(denied.retryAfterSeconds).toBeGreaterThan(0);
    expect(await limiter.consume("b")).toEqual({ allowed: true });
  });
});

describe("toRateLimitKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"],
    ["2001:db8:abcd:0012::99", "2001:db8:abcd:12::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["unknown", "unknown"],
  ])("%s → %s", (address, key) => {
    expect(toRateLimitKey(address)).toBe(key);
  });

  it("counts every address of one /64 together", async () => {
    const limiter = createGuestCreationLimiter({ points: 2, durationInSeconds: 30 });
    expect((await limiter.consume("2001:db8:1:2::a")).allowed).toBe(true);
    expect((await limiter.consume("2001:db8:1:2::b")).allowed).toBe(true);
    expect((await limiter.consume("2001:db8:1:2:ffff::c")).allowed).toBe(false);
    expect((await limiter.consume("2001:db8:1:3::a")).allowed).toBe(true);
  });
});

describe("createSignInLimiter", () => {
  const limits = {
    perAddress: { points: 3, durationInSeconds: 60 },
    failuresPerAccount: { points: 2, durationInSeconds: 60 },
  };

  it("bounds attempts per address, whatever the account", async () => {
    const limiter = createSignInLimiter(limits);
    for (const account of ["a@x.test", "b@x.test", "c@x.test"]) {
      expect(await limiter.begin("203.0.113.1", account)).toEqual({ allowed: true });
    }
    expect((await limiter.begin("203.0.113.1", "d@x.test")).allowed).toBe(false);
    expect(await limiter.begin("203.0.113.2", "d@x.test")).toEqual({ allowed: true });
  });

  it("locks an account after repeated failures from any address, and a success clears it", async () => {
    const limiter = createSignInLimiter(limits);
    await limiter.fail("a@x.test");
    expect(await limiter.begin("198.51.100.1", "a@x.test")).toEqual({ allowed: true });
    await limiter.succeed("a@x.test");
    await limiter.fail("a@x.test");
    expect(await limiter.begin("198.51.100.2", "a@x.test")).toEqual({ allowed: true });
    await limiter.fail("a@x.test");
    const locked = await limiter.begin("198.51.100.3", "a@x.test");
    expect(locked.allowed).toBe(false);
    if (!locked.allowed) expect(locked.retryAfterSeconds).toBeGreaterThan(0);
    expect(await limiter.begin("198.51.100.3", "b@x.test")).toEqual({ allowed: true });
  });
});
