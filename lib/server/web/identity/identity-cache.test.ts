import { afterEach, describe, expect, it } from "vitest";
import type { Identity } from "../../../shared/contracts/identity";
import {
  attachChangeReceiver,
  type ChangeReceiver,
  publishSessionChange,
} from "../../common/session-change-hub";
import { createIdentityCache, getProcessIdentityCache } from "./identity-cache";

const ME: Identity = { userId: "usr_me", kind: "guest", sessionId: "ses_me" };
const OTHER: Identity = { userId: "usr_other", kind: "member", sessionId: "ses_other" };

describe("createIdentityCache", () => {
  it("answers from memory until the TTL ends", () => {
    const cache = createIdentityCache({ ttlInMs: 1_000 });
    cache.remember("k", ME, cache.begin(), 0);
    expect(cache.get("k", 999)).toEqual(ME);
    expect(cache.get("k", 1_000)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it("forgets exactly the entries of a changed session", () => {
    const cache = createIdentityCache();
    cache.remember("a", ME, cache.begin(), 0);
    cache.remember("b", ME, cache.begin(), 0);
    cache.remember("c", OTHER, cache.begin(), 0);
    cache.invalidate("ses_me");
    expect([cache.get("a", 1), cache.get("b", 1), cache.get("c", 1)]).toEqual([null, null, OTHER]);
    cache.invalidate(null);
    expect(cache.size).toBe(0);
  });

  it("never remembers a resolution that was in flight while a session changed", () => {
    const cache = createIdentityCache();
    const begun = cache.begin();
    cache.invalidate("ses_me");
    cache.remember("k", ME, begun, 0);
    expect(cache.get("k", 1)).toBeNull();
  });

  it("evicts the oldest entries beyond its size", () => {
    const cache = createIdentityCache({ maxEntries: 2 });
    for (const key of ["a", "b", "c"]) cache.remember(key, ME, cache.begin(), 0);
    expect([cache.get("a", 1), cache.get("b", 1), cache.get("c", 1)]).toEqual([null, ME, ME]);
    // The evicted key is gone from the session's index too.
    cache.invalidate("ses_me");
    expect(cache.size).toBe(0);
  });
});

describe("getProcessIdentityCache", () => {
  let receiver: ChangeReceiver | null = null;
  afterEach(() => {
    receiver?.detach();
    receiver = null;
  });

  it("is off while no gateway of this process receives session changes", () => {
    expect(getProcessIdentityCache()).toBeNull();
  });

  it("forgets a session the moment the gateway publishes its change", () => {
    receiver = attachChangeReceiver();
    const cache = getProcessIdentityCache();
    cache?.remember("k", ME, cache.begin());
    expect(cache?.get("k")).toEqual(ME);
    publishSessionChange("ses_me");
    expect(cache?.get("k")).toBeNull();
  });

  it("empties and turns off while the bus is lost, and starts empty when it is back", () => {
    receiver = attachChangeReceiver();
    const cache = getProcessIdentityCache();
    cache?.remember("k", ME, cache.begin());
    receiver.setLive(false);
    expect(getProcessIdentityCache()).toBeNull();
    expect(cache?.size).toBe(0);
    receiver.setLive(true);
    expect(getProcessIdentityCache()).toBe(cache);
  });
});
