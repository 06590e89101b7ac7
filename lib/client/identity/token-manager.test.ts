import { describe, expect, it, vi } from "vitest";
import type { GuestSessionResult } from "./guest-session-client";
import {
  createTokenManager,
  type OwnedToken,
  TOKEN_RENEW_MARGIN_IN_MS,
  TOKEN_RENEW_MIN_DELAY_IN_MS,
} from "./token-manager";

const NOW = Date.parse("2030-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(NOW + ms).toISOString();
const token = (userId: string, socketToken: string, expiresInMs: number): OwnedToken => ({
  userId,
  socketToken,
  expiresAt: at(expiresInMs),
});
const asSession = (t: OwnedToken) => ({ kind: "guest" as const, ...t });

function setup(lookupResult: GuestSessionResult, expiresInMs = 10 * 60_000) {
  const lookup = vi.fn(async () => lookupResult);
  const announce = vi.fn();
  const onMismatch = vi.fn();
  const manager = createTokenManager({ lookup, announce, onMismatch, now: () => NOW });
  manager.setAuthoritative(token("usr_a", "t1", expiresInMs));
  return { manager, lookup, announce, onMismatch };
}

describe("createTokenManager", () => {
  it("has no owner and adopts nothing until an authoritative write", () => {
    const onMismatch = vi.fn();
    const manager = createTokenManager({ lookup: async () => ({ kind: "miss" }), onMismatch });
    expect(manager.owner).toBeNull();
    expect(manager.offer(token("usr_a", "t", 60_000), "tab")).toBe("rejected");
    expect(manager.current()).toBeNull();
    expect(onMismatch).toHaveBeenCalledTimes(1);
  });

  it("uses the held token while it has more than the margin left", async () => {
    const { manager, lookup } = setup({ kind: "miss" });
    expect(await manager.getFreshToken()).toEqual({ kind: "token", token: "t1", userId: "usr_a" });
    expect(lookup).not.toHaveBeenCalled();
  });

  it("renews near expiry through the cookies and announces the same-user token to other tabs", async () => {
    const fresh = token("usr_a", "t2", 600_000);
    const { manager, announce } = setup({ kind: "session", session: asSession(fresh) }, 30_000);
    expect(await manager.getFreshToken()).toEqual({ kind: "token", token: "t2", userId: "usr_a" });
    expect(manager.current()?.socketToken).toBe("t2");
    expect(announce).toHaveBeenCalledWith(fresh);
  });

  it("rejects a cookie-derived token for another user and asks for a re-sync", async () => {
    const other = token("usr_b", "tb", 600_000);
    const { manager, onMismatch, announce } = setup({ kind: "session", session: asSession(other) });
    expect(await manager.renew()).toEqual({ kind: "identity_changed", session: asSession(other) });
    expect(manager.current()?.socketToken).toBe("t1");
    expect(manager.owner).toBe("usr_a");
    expect(onMismatch).toHaveBeenCalledWith(other, "cookie");
    expect(announce).not.toHaveBeenCalled();
  });

  it("adopts another tab's newer token for the owner, without re-announcing it", () => {
    const { manager, announce, onMismatch } = setup({ kind: "miss" });
    expect(manager.offer(token("usr_a", "older", 60_000), "tab")).toBe("kept");
    expect(manager.offer(token("usr_a", "newer", 20 * 60_000), "tab")).toBe("adopted");
    expect(manager.current()?.socketToken).toBe("newer");
    expect(announce).not.toHaveBeenCalled();
    expect(manager.offer(token("usr_evil", "injected", 60 * 60_000), "tab")).toBe("rejected");
    expect(manager.current()?.socketToken).toBe("newer");
    expect(onMismatch).toHaveBeenCalledTimes(1);
    expect(manager.diagnostics()).toMatchObject({ owner: "usr_a", adopted: 1, rejected: 1 });
  });

  it("reject() counts a token the caller refused and asks for a re-sync, never holding it", () => {
    const { manager, onMismatch, announce } = setup({ kind: "miss" });
    const other = token("usr_b", "tb", 60 * 60_000);
    manager.reject(other, "tab");
    expect(manager.current()?.socketToken).toBe("t1");
    expect(manager.owner).toBe("usr_a");
    expect(onMismatch).toHaveBeenCalledWith(other, "tab");
    expect(announce).not.toHaveBeenCalled();
    expect(manager.diagnostics()).toMatchObject({ adopted: 0, rejected: 1 });
  });

  it("clear() resets the owner; the next authoritative write sets a new one", () => {
    const { manager } = setup({ kind: "miss" });
    manager.clear();
    expect(manager.owner).toBeNull();
    expect(manager.offer(token("usr_a", "t9", 60 * 60_000), "cookie")).toBe("rejected");
    manager.setAuthoritative(token("usr_b", "tb", 60_000));
    expect(manager.owner).toBe("usr_b");
  });

  it("reports a revoked or missing session as ended, and keeps errors and stale answers apart", async () => {
    expect(await setup({ kind: "revoked" }).manager.renew()).toEqual({
      kind: "ended",
      reason: "revoked",
    });
    expect(await setup({ kind: "miss" }).manager.renew()).toEqual({
      kind: "ended",
      reason: "miss",
    });
    const error = {
      kind: "error",
      code: "unavailable:authority",
      message: "m",
      status: 503,
    } as const;
    expect(await setup(error).manager.renew()).toMatchObject({
      kind: "error",
      code: "unavailable:authority",
    });
    expect(await setup({ kind: "stale" }).manager.renew()).toMatchObject({ kind: "error" });
  });

  it("shares one renewal between concurrent callers", async () => {
    const fresh = token("usr_a", "t2", 600_000);
    const { manager, lookup } = setup({ kind: "session", session: asSession(fresh) });
    await Promise.all([manager.renew(), manager.renew()]);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it("schedules renewal a margin before expiry, never sooner than the minimum delay", () => {
    const { manager } = setup({ kind: "miss" }, 10 * 60_000);
    expect(manager.msUntilRenewal(NOW)).toBe(10 * 60_000 - TOKEN_RENEW_MARGIN_IN_MS);
    manager.invalidate();
    expect(manager.msUntilRenewal(NOW)).toBe(TOKEN_RENEW_MIN_DELAY_IN_MS);
  });

  it("renews by rotating; a lost race (another tab rotated first) re-fetches instead", async () => {
    const rotatedToken = token("usr_a", "t_rot", 600_000);
    const rotate = vi.fn(async () => ({ kind: "rotated" as const, token: rotatedToken }));
    const lookup = vi.fn(async () => ({
      kind: "session" as const,
      session: asSession(token("usr_a", "t_current", 700_000)),
    }));
    const manager = createTokenManager({ lookup, rotate, now: () => NOW });
    manager.setAuthoritative(token("usr_a", "t1", 30_000));
    const changes: string[] = [];
    manager.onChange((t) => changes.push(t.socketToken));

    expect(await manager.renew()).toEqual({ kind: "token", token: "t_rot", userId: "usr_a" });
    expect(rotate).toHaveBeenCalledWith("t1");
    expect(lookup).not.toHaveBeenCalled();

    rotate.mockResolvedValueOnce({ kind: "refetch" } as never);
    expect(await manager.renew()).toEqual({ kind: "token", token: "t_current", userId: "usr_a" });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(changes).toEqual(["t_rot", "t_current"]);
  });

  it("refetch() never rotates", async () => {
    const rotate = vi.fn();
    const lookup = vi.fn(async () => ({
      kind: "session" as const,
      session: asSession(token("usr_a", "t2", 700_000)),
    }));
    const manager = createTokenManager({ lookup, rotate, now: () => NOW });
    manager.setAuthoritative(token("usr_a", "t1", 600_000));
    expect(await manager.refetch()).toEqual({ kind: "token", token: "t2", userId: "usr_a" });
    expect(rotate).not.toHaveBeenCalled();
  });

  it("at the same expiry second, the higher generation wins", () => {
    const jwt = (gen: number) =>
      `h.${Buffer.from(JSON.stringify({ sub: "usr_a", gen })).toString("base64url")}.s`;
    const manager = createTokenManager({ lookup: async () => ({ kind: "miss" }), now: () => NOW });
    manager.setAuthoritative({ userId: "usr_a", socketToken: jwt(3), expiresAt: at(600_000) });
    expect(
      manager.offer({ userId: "usr_a", socketToken: jwt(2), expiresAt: at(600_000) }, "tab"),
    ).toBe("kept");
    expect(
      manager.offer({ userId: "usr_a", socketToken: jwt(4), expiresAt: at(600_000) }, "tab"),
    ).toBe("adopted");
  });

  it("schedules on the browser's own clock, so a clock behind the server's still renews in time", () => {
    const iat = Math.floor(NOW / 1000);
    const jwt = `h.${Buffer.from(JSON.stringify({ sub: "usr_a", iat, exp: iat + 600 })).toString("base64url")}.s`;
    const behind = NOW - 120_000;
    const manager = createTokenManager({
      lookup: async () => ({ kind: "miss" }),
      now: () => behind,
    });
    manager.setAuthoritative({ userId: "usr_a", socketToken: jwt, expiresAt: at(600_000) });
    // By the server's expiry it would wait 660 s on this clock: 60 s past the real expiry.
    expect(manager.msUntilRenewal(behind)).toBe(600_000 - TOKEN_RENEW_MARGIN_IN_MS);
  });
});
