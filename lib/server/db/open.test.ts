import { describe, expect, it } from "vitest";
import { parseInt8 } from "./open";

describe("parseInt8", () => {
  it("reads int8 text as a number", () => {
    expect(parseInt8("0")).toBe(0);
    expect(parseInt8("-42")).toBe(-42);
    expect(parseInt8("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses values a JS number would round", () => {
    expect(() => parseInt8("9007199254740993")).toThrow(/^db: int8/);
  });
});
