import { describe, expect, it } from "vitest";
import {
  GUEST_COOKIE_MAX_LENGTH,
  GUEST_SESSION_COOKIE,
  MEMBER_SESSION_COOKIE,
} from "../../../shared/names";
import { readIdentityCookies, toForwardedCookieHeader } from "./cookie-allow-list";

const G = GUEST_SESSION_COOKIE;
const VALUE = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde";

describe("toForwardedCookieHeader", () => {
  it.each([
    ["only the guest cookie", `${G}=${VALUE}`, `${G}=${VALUE}`],
    [
      "the guest cookie among others",
      `a=1; ${MEMBER_SESSION_COOKIE}=sealed; ${G}=${VALUE}; b=2`,
      `${G}=${VALUE}`,
    ],
    ["no guest cookie", `a=1; ${MEMBER_SESSION_COOKIE}=sealed`, null],
    ["no Cookie header", null, null],
    ["an empty header", "", null],
    ["a lower-case variant only", `__host-foyer_guest_session=${VALUE}`, null],
    [
      "a case variant before the real one",
      `__HOST-foyer_guest_session=evil; ${G}=${VALUE}`,
      `${G}=${VALUE}`,
    ],
    ["a prefixed name", `x${G}=evil`, null],
    ["a suffixed name", `${G}x=evil`, null],
    ["duplicates: the first wins", `${G}=first; ${G}=second`, `${G}=first`],
    ["an empty value", `${G}=`, null],
    ["an empty first value hides a later one", `${G}=; ${G}=${VALUE}`, null],
    ["a quoted value, kept as sent", `${G}="${VALUE}"`, `${G}="${VALUE}"`],
    ["a value with a space", `${G}=a b`, null],
    ["a value with a comma", `${G}=a,b`, null],
    ["a value with a backslash", `${G}=a\\b`, null],
    ["spaces around the pair", `  ${G} =  ${VALUE}  ;x=1`, `${G}=${VALUE}`],
    ["a value containing '='", `${G}=a=b`, `${G}=a=b`],
    ["a pair without '='", `${G}; a=1`, null],
  ])("%s", (_name, header, expected) => {
    expect(toForwardedCookieHeader(header)).toBe(expected);
  });

  it("drops an oversized value entirely, and accepts one at the limit", () => {
    const atLimit = "a".repeat(GUEST_COOKIE_MAX_LENGTH);
    expect(toForwardedCookieHeader(`${G}=${atLimit}`)).toBe(`${G}=${atLimit}`);
    expect(toForwardedCookieHeader(`${G}=${atLimit}a`)).toBeNull();
    expect(toForwardedCookieHeader(`${G}=${atLimit}a; ${G}=${VALUE}`)).toBeNull();
  });
});

describe("readIdentityCookies", () => {
  it("reads the guest and member cookies by exact name", () => {
    const header = `${G}=${VALUE}; other=1; ${MEMBER_SESSION_COOKIE}=Fe26.2**seal`;
    expect(readIdentityCookies(header)).toEqual({
      guestSession: VALUE,
      memberSession: "Fe26.2**seal",
    });
    expect(readIdentityCookies("__host-foyer_session=x")).toEqual({
      guestSession: null,
      memberSession: null,
    });
  });
});
