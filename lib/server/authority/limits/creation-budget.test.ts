import { describe, expect, it } from "vitest";
import { type CreationBudgets, createCreationBudget } from "./creation-budget";

const budgets = (perAddress: number, perNetwork: number, global: number): CreationBudgets => ({
  perAddress: { points: perAddress, durationInSeconds: 30 },
  perNetwork: { points: perNetwork, durationInSeconds: 30 },
  global: { points: global, durationInSeconds: 30 },
});

describe("createCreationBudget", () => {
  it("allows `points` creations per address, then tells when to retry", async () => {
    const budget = createCreationBudget("test", budgets(2, 100, 100));
    expect(await budget.consume("a")).toEqual({ allowed: true });
    expect(await budget.consume("a")).toEqual({ allowed: true });
    const denied = await budget.consume("a");
    expect(denied.allowed).toBe(false);
    if (!denied.allowed) {
      expect(denied.retryAfterSeconds).toBeGreaterThan(0);
      expect(denied.scope).toBe("address");
    }
    expect(await budget.consume("b")).toEqual({ allowed: true });
  });

  it("counts every address of one /64 together", async () => {
    const budget = createCreationBudget("test", budgets(2, 100, 100));
    expect((await budget.consume("2001:db8:1:2::a")).allowed).toBe(true);
    expect((await budget.consume("2001:db8:1:2::b")).allowed).toBe(true);
    expect((await budget.consume("2001:db8:1:2:ffff::c")).allowed).toBe(false);
    expect((await budget.consume("2001:db8:1:3::a")).allowed).toBe(true);
  });

  it("stops a flood rotating through one /24 at the network budget", async () => {
    const budget = createCreationBudget("test", budgets(2, 5, 1_000));
    const decisions = [];
    for (let host = 1; host <= 254; host++)
      decisions.push(await budget.consume(`203.0.113.${host}`));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.slice(5).every((d) => !d.allowed && d.scope === "network")).toBe(true);
    // Another network is untouched.
    expect(await budget.consume("198.51.100.1")).toEqual({ allowed: true });
  });

  it("stops a flood rotating through one IPv6 /48 at the network budget", async () => {
    const budget = createCreationBudget("test", budgets(2, 3, 1_000));
    const allowed = [];
    for (let subnet = 0; subnet < 20; subnet++) {
      allowed.push((await budget.consume(`2001:db8:7:${subnet.toString(16)}::1`)).allowed);
    }
    expect(allowed.filter(Boolean)).toHaveLength(3);
    expect((await budget.consume("2001:db8:8::1")).allowed).toBe(true);
  });

  it("stops a flood rotating across networks at the global budget", async () => {
    const budget = createCreationBudget("test", budgets(2, 5, 8));
    const decisions = [];
    for (let net = 0; net < 50; net++) decisions.push(await budget.consume(`10.${net}.0.1`));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(8);
    expect(decisions.slice(8).every((d) => !d.allowed && d.scope === "global")).toBe(true);
  });

  it("spends nothing wider once a narrower budget refuses", async () => {
    const budget = createCreationBudget("test", budgets(2, 3, 10));
    for (let i = 0; i < 100; i++) await budget.consume("203.0.113.1");
    // The flood from .1 spent two of its network's three and two of the global ten.
    expect((await budget.consume("203.0.113.2")).allowed).toBe(true);
    const third = await budget.consume("203.0.113.3");
    expect(third.allowed === false && third.scope).toBe("network");
    for (let net = 0; net < 7; net++) {
      expect((await budget.consume(`10.${net}.0.1`)).allowed).toBe(true);
    }
    const last = await budget.consume("10.99.0.1");
    expect(last.allowed === false && last.scope).toBe("global");
  });
});
