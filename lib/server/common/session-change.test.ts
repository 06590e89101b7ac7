import { describe, expect, it } from "vitest";
import { collectConfirmation, isConfirmedBy } from "./session-change";

describe("isConfirmedBy", () => {
  it("confirms when every expected node acknowledged (others, like an authority link, may too)", () => {
    expect(isConfirmedBy([], [])).toBe(true);
    expect(isConfirmedBy(["b", "link-1"], ["b"])).toBe(true);
    expect(isConfirmedBy(["c", "b"], ["b", "c"])).toBe(true);
  });

  it("does not confirm when an expected node is missing, though everyone on the bus answered", () => {
    // B lost Redis: the bus waits only for the servers still subscribed (C).
    expect(isConfirmedBy(["c"], ["b", "c"])).toBe(false);
    expect(isConfirmedBy([], ["b"])).toBe(false);
  });

  it("does not confirm when any node refused the change, or answered something else", () => {
    expect(isConfirmedBy(["b", false], ["b"])).toBe(false);
    expect(isConfirmedBy([true], [])).toBe(false);
  });
});

describe("collectConfirmation", () => {
  it("confirms when every expected node acknowledged, and counts the missing ones", async () => {
    expect(
      await collectConfirmation(
        async () => ["a", "b"],
        async () => ["a", "b"],
        1_000,
      ),
    ).toEqual({ confirmed: true, acks: ["a", "b"], missing: 0 });
    expect(
      await collectConfirmation(
        async () => ["a"],
        async () => ["a", "b", "c"],
        1_000,
      ),
    ).toMatchObject({ confirmed: false, missing: 2 });
  });

  it("is bounded by its timeout when the node list or the bus hangs", async () => {
    const never = () => new Promise<never>(() => {});
    await expect(collectConfirmation(async () => ["a"], never, 20)).rejects.toThrow(/in time/);
    await expect(collectConfirmation(never, async () => [], 20)).rejects.toThrow(/in time/);
  });

  it("rejects when the store read fails", async () => {
    await expect(
      collectConfirmation(
        async () => [],
        async () => {
          throw new Error("store down");
        },
        1_000,
      ),
    ).rejects.toThrow("store down");
  });
});
