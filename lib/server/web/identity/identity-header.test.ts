import { describe, expect, it } from "vitest";
import type { Identity } from "../../../shared/contracts/identity";
import type { IdentityCookies } from "../proxy/cookie-allow-list";
import {
  countVerifiedHeaders,
  IDENTITY_HEADER_TTL_IN_SECONDS,
  parseIdentityHeader,
  signIdentityHeader,
  toIdentityCookieHash,
  toIdentityHeader,
  toIdentityHeaderKeys,
  VERIFIED_HEADERS_MAX_ENTRIES,
} from "./identity-header";

const KEYS = toIdentityHeaderKeys("p".repeat(40));
const OTHER_KEYS = toIdentityHeaderKeys("q".repeat(40));
const IDENTITY: Identity = { userId: "usr_1", kind: "guest", sessionId: "ses_1" };
const COOKIES: IdentityCookies = { guestSession: "guest-value", memberSession: null };
const NOW = Date.UTC(2030, 0, 1);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("identity header", () => {
  const header = toIdentityHeader(IDENTITY, COOKIES, KEYS, NOW);

  it("round-trips for the same cookies within the TTL", () => {
    expect(parseIdentityHeader(header, COOKIES, KEYS, NOW)).toEqual(IDENTITY);
    expect(
      parseIdentityHeader(header, COOKIES, KEYS, NOW + (IDENTITY_HEADER_TTL_IN_SECONDS - 1) * 1000),
    ).toEqual(IDENTITY);
  });

  it("rejects an expired header", () => {
    expect(
      parseIdentityHeader(header, COOKIES, KEYS, NOW + IDENTITY_HEADER_TTL_IN_SECONDS * 1000),
    ).toBeNull();
  });

  it("rejects a header on a request with other cookies", () => {
    expect(
      parseIdentityHeader(header, { guestSession: "other", memberSession: null }, KEYS, NOW),
    ).toBeNull();
    expect(
      parseIdentityHeader(header, { guestSession: "guest-value", memberSession: "m" }, KEYS, NOW),
    ).toBeNull();
    expect(
      parseIdentityHeader(header, { guestSession: null, memberSession: null }, KEYS, NOW),
    ).toBeNull();
  });

  it("rejects a header made with another key", () => {
    expect(parseIdentityHeader(header, COOKIES, OTHER_KEYS, NOW)).toBeNull();
    const forged = toIdentityHeader(IDENTITY, COOKIES, OTHER_KEYS, NOW);
    expect(parseIdentityHeader(forged, COOKIES, KEYS, NOW)).toBeNull();
  });

  it("rejects a tampered payload or MAC", () => {
    const [version, payload, mac] = header.split(".") as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = `${version}.${b64({ ...decoded, u: "usr_admin" })}.${mac}`;
    expect(parseIdentityHeader(tampered, COOKIES, KEYS, NOW)).toBeNull();
    const flipped = `${version}.${payload}.${mac.slice(0, -2)}${mac.endsWith("AA") ? "BB" : "AA"}`;
    expect(parseIdentityHeader(flipped, COOKIES, KEYS, NOW)).toBeNull();
    expect(parseIdentityHeader(`${version}.${payload}.`, COOKIES, KEYS, NOW)).toBeNull();
    // Another spelling of the same MAC bytes (spare bits of the last character, a stray
    // character base64url decoding skips) is not the MAC.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelt = `${mac.slice(0, -1)}${alphabet[alphabet.indexOf(mac.at(-1) as string) ^ 1]}`;
    for (const other of [respelt, `${mac}!`]) {
      expect(Buffer.from(other, "base64url")).toEqual(Buffer.from(mac, "base64url"));
      expect(parseIdentityHeader(`${version}.${payload}.${other}`, COOKIES, KEYS, NOW)).toBeNull();
    }
    expect(parseIdentityHeader(`v2.${payload}.${mac}`, COOKIES, KEYS, NOW)).toBeNull();
    expect(parseIdentityHeader(`${header}.extra`, COOKIES, KEYS, NOW)).toBeNull();
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["garbage", "not-a-header"],
    ["plain JSON a client might forge", JSON.stringify(IDENTITY)],
    ["a bare user id", "usr_1"],
    ["oversized", `v1.${"a".repeat(5000)}.b`],
  ])("rejects %s", (_name, value) => {
    expect(parseIdentityHeader(value, COOKIES, KEYS, NOW)).toBeNull();
  });

  it("rejects a validly signed header whose expiry lies beyond the TTL", () => {
    // Defence in depth: only toIdentityHeader mints values, and never this far ahead.
    const later = toIdentityHeader(IDENTITY, COOKIES, KEYS, NOW + 3_600_000);
    expect(parseIdentityHeader(later, COOKIES, KEYS, NOW)).toBeNull();
  });

  it("binds absent and present cookies differently", () => {
    const none = { guestSession: null, memberSession: null };
    const h = toIdentityHeader(IDENTITY, none, KEYS, NOW);
    expect(parseIdentityHeader(h, none, KEYS, NOW)).toEqual(IDENTITY);
    expect(parseIdentityHeader(h, { guestSession: "", memberSession: null }, KEYS, NOW)).toBeNull();
  });

  it("hashes cookies with the key: another key or other cookies give another hash", () => {
    const hashed = toIdentityCookieHash(COOKIES, KEYS);
    expect(hashed).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashed).not.toContain(COOKIES.guestSession);
    expect(toIdentityCookieHash(COOKIES, KEYS)).toBe(hashed);
    expect(toIdentityCookieHash(COOKIES, OTHER_KEYS)).not.toBe(hashed);
    expect(
      toIdentityCookieHash({ guestSession: null, memberSession: "guest-value" }, KEYS),
    ).not.toBe(hashed);
  });

  it("signs the same value from a precomputed cookie hash", () => {
    expect(signIdentityHeader(IDENTITY, toIdentityCookieHash(COOKIES, KEYS), KEYS, NOW)).toBe(
      header,
    );
  });

  it("checks expiry and cookies again for a value it verified before", () => {
    const keys = toIdentityHeaderKeys("r".repeat(40));
    const value = toIdentityHeader(IDENTITY, COOKIES, keys, NOW);
    expect(parseIdentityHeader(value, COOKIES, keys, NOW)).toEqual(IDENTITY);
    expect(countVerifiedHeaders(keys)).toBe(1);
    const other = { guestSession: "other", memberSession: null };
    expect(parseIdentityHeader(value, other, keys, NOW)).toBeNull();
    const expired = NOW + IDENTITY_HEADER_TTL_IN_SECONDS * 1000;
    expect(parseIdentityHeader(value, COOKIES, keys, expired)).toBeNull();
    const early = NOW - 10_000;
    expect(parseIdentityHeader(value, COOKIES, keys, early)).toBeNull();
    expect(parseIdentityHeader(value, COOKIES, keys, NOW + 1_000)).toEqual(IDENTITY);
    expect(countVerifiedHeaders(keys)).toBe(1);
  });

  it("hands out copies: a caller changing its identity changes no later answer", () => {
    const keys = toIdentityHeaderKeys("s".repeat(40));
    const value = toIdentityHeader(IDENTITY, COOKIES, keys, NOW);
    const first = parseIdentityHeader(value, COOKIES, keys, NOW) as Identity;
    first.userId = "usr_someone_else";
    expect(parseIdentityHeader(value, COOKIES, keys, NOW)).toEqual(IDENTITY);
  });

  it("keeps only values that verified, at most the bound, and verifies evicted ones again", () => {
    const keys = toIdentityHeaderKeys("t".repeat(40));
    expect(parseIdentityHeader(`v1.${b64(IDENTITY)}.forged`, COOKIES, keys, NOW)).toBeNull();
    expect(
      parseIdentityHeader(toIdentityHeader(IDENTITY, COOKIES, OTHER_KEYS, NOW), COOKIES, keys, NOW),
    ).toBeNull();
    expect(countVerifiedHeaders(keys)).toBe(0);
    const values = Array.from({ length: VERIFIED_HEADERS_MAX_ENTRIES + 5 }, (_, i) =>
      toIdentityHeader({ ...IDENTITY, sessionId: `ses_${i}` }, COOKIES, keys, NOW),
    );
    for (const value of values)
      expect(parseIdentityHeader(value, COOKIES, keys, NOW)).not.toBeNull();
    expect(countVerifiedHeaders(keys)).toBe(VERIFIED_HEADERS_MAX_ENTRIES);
    expect(parseIdentityHeader(values[0], COOKIES, keys, NOW)).toEqual({
      ...IDENTITY,
      sessionId: "ses_0",
    });
  });
});
