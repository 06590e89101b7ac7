import { describe, expect, it } from "vitest";
import { toAuthorityFailure } from "./create-authority-client";

function withCode(code: string, cause?: unknown) {
  return Object.assign(new Error(code), { code, cause });
}

describe("toAuthorityFailure", () => {
  it.each([
    ["ECONNREFUSED", withCode("ECONNREFUSED"), "refused"],
    ["ENOTFOUND", withCode("ENOTFOUND"), "refused"],
    ["refused as the cause", withCode("UND_ERR_SOCKET", withCode("ECONNREFUSED")), "refused"],
    ["connect timeout", withCode("UND_ERR_CONNECT_TIMEOUT"), "timeout"],
    ["headers timeout", withCode("UND_ERR_HEADERS_TIMEOUT"), "timeout"],
    ["body timeout", withCode("UND_ERR_BODY_TIMEOUT"), "timeout"],
    ["socket closed", withCode("UND_ERR_SOCKET"), "other"],
    ["reset", withCode("ECONNRESET"), "other"],
    ["no code", new Error("x"), "other"],
    ["not an error", "boom", "other"],
    ["null", null, "other"],
  ])("%s → %s", (_name, error, expected) => {
    expect(toAuthorityFailure(error)).toBe(expected);
  });
});
