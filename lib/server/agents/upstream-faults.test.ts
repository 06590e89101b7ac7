import { APIConnectionError, APIError } from "openai";
import { describe, expect, it } from "vitest";
import {
  toRateLimitedError,
  toRequestFault,
  toRetryAfterMs,
  toStreamFault,
} from "./upstream-faults";

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("toRetryAfterMs", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");

  it.each([
    [{}, undefined],
    [{ "retry-after": "20" }, 20_000],
    [{ "retry-after": "1.5" }, 1500],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after-ms": "250.2" }, 251],
    [{ "retry-after-ms": "250", "retry-after": "20" }, 250],
    [{ "retry-after-ms": "soon", "retry-after": "3" }, 3000],
    [{ "retry-after": "Tue, 01 Jan 2030 00:00:30 GMT" }, 30_000],
    [{ "retry-after": "Mon, 31 Dec 2029 23:00:00 GMT" }, 0],
    [{ "retry-after": "later" }, undefined],
    [{ "retry-after": "-5" }, undefined],
  ])("reads %j as %s", (entries, expected) => {
    expect(toRetryAfterMs(headers(entries), now)).toBe(expected);
  });

  it("reads nothing without headers", () => {
    expect(toRetryAfterMs(undefined)).toBeUndefined();
  });
});

describe("the words of a fault", () => {
  it("rounds the wait up to whole seconds, at least one", () => {
    expect(toRateLimitedError(20_000).message).toBe("The model is busy. Try again in 20 s.");
    expect(toRateLimitedError(19_001).message).toBe("The model is busy. Try again in 20 s.");
    expect(toRateLimitedError(10).message).toBe("The model is busy. Try again in 1 s.");
    expect(toRateLimitedError(undefined).message).toBe("The model is busy. Try again in a moment.");
  });

  it("never passes on what the upstream wrote", () => {
    const body = { error: { message: "Incorrect API key provided: sk-SECRET" } };
    const error = APIError.generate(401, body, undefined, new Headers());
    expect(error.message).toContain("sk-SECRET");
    const fault = toRequestFault(error, true);
    expect(fault).toMatchObject({ code: "upstream_auth", status: 401 });
    expect(fault.message).not.toContain("SECRET");
    expect(fault.cause).toBeUndefined();
  });

  it("keeps only the system error code of a connection error", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443 secret-host"), {
      code: "ECONNREFUSED",
    });
    const fault = toRequestFault(
      new APIConnectionError({ cause: new TypeError("x", { cause }) }),
      true,
    );
    expect(fault.code).toBe("upstream_unreachable");
    expect((fault.cause as Error).message).toBe("ECONNREFUSED");
  });

  it("calls what it cannot place agent_failed before the stream, incomplete during it", () => {
    expect(toRequestFault(new Error("boom"), false).code).toBe("agent_failed");
    expect(toStreamFault(new TypeError("terminated")).code).toBe("upstream_incomplete");
    expect(toStreamFault(new SyntaxError("Unexpected token")).code).toBe("upstream_malformed");
  });
});
