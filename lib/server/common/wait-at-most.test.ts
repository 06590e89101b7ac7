import { describe, expect, it } from "vitest";
import { waitAtMost } from "./wait-at-most";

const settleIn =
  (ms: number, fail = false) =>
  () =>
    new Promise((resolve, reject) =>
      setTimeout(() => (fail ? reject(new Error("x")) : resolve(1)), ms),
    );

describe("waitAtMost", () => {
  it.each<[string, () => Promise<unknown>, number, boolean]>([
    ["settled in time", settleIn(5), 500, true],
    ["rejected in time counts as settled", settleIn(5, true), 500, true],
    ["still running at the deadline", settleIn(500), 20, false],
  ])("%s", async (_name, start, ms, settled) => {
    expect(await waitAtMost(start(), ms)).toBe(settled);
  });
});
