import { describe, expect, it } from "vitest";
import { GUEST_SESSION_COOKIE } from "../../../shared/names";
import {
  createGuestCookieValue,
  hashGuestSecret,
  isGuestCookieValue,
  readGuestCookie,
  toClearedGuestSessionSetCookie,
  toGuestSessionSetCookie,
} from "./guest-cookie";

const VALUE = "a".repeat(43);

describe("guest cookie values", () => {
  it("are 256 random bits in base64url, and never repeat", () => {
    const values = new Set(Array.from({ length: 100 }, createGuestCookieValue));
    expect(values.size).toBe(100);
    for (const v of values) {
      expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(v, "base64url")).toHaveLength(32);
      expect(isGuestCookieValue(v)).toBe(true);
    }
  });

  it.each([
    undefined,
    "",
    "a".repeat(42),
    "a".repeat(44),
    `${"a".repeat(42)}=`,
    `${"a".repeat(42)};`,
  ])("rejects %j", (v) => expect(isGuestCookieValue(v)).toBe(false));
});

describe("hashGuestSecret", () => {
  it("is HMAC-SHA256(pepper, value) in hex", () => {
    expect(hashGuestSecret("value", "pepper")).toBe(
      "5260922efe2194744e025053659f5d93637824b16882d2ccef01f267209aa6e1",
    );
  });

  it("depends on the pepper", () => {
    expect(hashGuestSecret("value", "pepper2")).not.toBe(hashGuestSecret("value", "pepper"));
  });
});

describe("readGuestCookie", () => {
  it("reads only the guest cookie among others", () => {
    expect(readGuestCookie(`a=1; ${GUEST_SESSION_COOKIE}=${VALUE}; b=2`)).toBe(VALUE);
  });

  it.each([
    ["no header", undefined],
    ["another cookie", `foyer_guest_session=${VALUE}`],
    ["a truncated value", `${GUEST_SESSION_COOKIE}=${VALUE.slice(1)}`],
    ["a tampered value", `${GUEST_SESSION_COOKIE}=${VALUE.slice(1)}%`],
    ["an oversized header", `${GUEST_SESSION_COOKIE}=${VALUE}; pad=${"x".repeat(9000)}`],
  ])("treats %s as no session", (_name, header) => {
    expect(readGuestCookie(header)).toBeNull();
  });
});

describe("Set-Cookie", () => {
  it("sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, a year", () => {
    expect(toGuestSessionSetCookie(VALUE)).toBe(
      `${GUEST_SESSION_COOKIE}=${VALUE}; Max-Age=31536000; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it("clears with the same attributes and Max-Age=0", () => {
    expect(toClearedGuestSessionSetCookie()).toBe(
      `${GUEST_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it("refuses to set a value that is not a guest cookie value", () => {
    expect(() => toGuestSessionSetCookie("x; Domain=evil.example")).toThrow(/authority\/cookies/);
  });
});
