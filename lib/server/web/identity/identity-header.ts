import { createHmac, hash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type Identity, identitySchema } from "../../../shared/contracts/identity";
import type { IdentityCookies } from "../proxy/cookie-allow-list";

/**
 * The identity header (`IDENTITY_HEADER`) middleware attaches for server components and
 * handlers (docs/design.md §4 and S1: "a forged header never yields an identity").
 * Format `v1.<payload>.<mac>`: base64url JSON `{u,k,s,c,e}` (identity, a keyed hash of
 * the identity cookies it was resolved from, expiry in epoch seconds) and
 * HMAC-SHA256 over `v1.<payload>`, with keys derived from `FOYER_SESSION_PASSWORD`.
 * A value is accepted only with a valid MAC, before its expiry, on a request carrying the
 * same identity cookies.
 */

export const IDENTITY_HEADER_TTL_IN_SECONDS = 60;
const VERSION = "v1";
/** Longer values are rejected before any parsing. */
const MAX_HEADER_LENGTH = 1024;
/** Tolerated clock difference when checking that an expiry is not beyond the TTL. */
const CLOCK_SKEW_IN_SECONDS = 5;

export interface IdentityHeaderKeys {
  signing: Buffer;
  /** The secret prefix of {@link toIdentityCookieHash}'s input. */
  cookieHash: string;
}

let cachedKeys: { password: string; keys: IdentityHeaderKeys } | null = null;

/** Sub-keys for the header, derived from the session password (cached for the last password). */
export function toIdentityHeaderKeys(password: string): IdentityHeaderKeys {
  if (cachedKeys?.password === password) return cachedKeys.keys;
  const derive = (label: string) => createHmac("sha256", password).update(label).digest();
  const keys = {
    signing: derive("foyer-identity-header-v1"),
    cookieHash: derive("foyer-identity-cookie-hash-v1").toString("base64url"),
  };
  cachedKeys = { password, keys };
  return keys;
}

/**
 * Keyed hash of the identity cookies (absent and present cookies hash differently):
 * SHA-256 of a 256-bit secret, then the cookies as JSON. It names a cache entry and binds a
 * header to its request's cookies; it is never a MAC (the header's HMAC is), and it is
 * computed on every request, so it takes one one-shot digest instead of an HMAC object
 * (~10 µs each inside the server; docs/benchmarks.md, B5). Length extension gives nothing:
 * the value never leaves the process, and an extended input is not the JSON of two cookies.
 */
export function toIdentityCookieHash(cookies: IdentityCookies, keys: IdentityHeaderKeys): string {
  const canonical = JSON.stringify([cookies.guestSession, cookies.memberSession]);
  return hash("sha256", `${keys.cookieHash}.${canonical}`, "base64url");
}

function toMac(signed: string, keys: IdentityHeaderKeys): Buffer {
  return createHmac("sha256", keys.signing).update(signed).digest();
}

const payloadSchema = z.object({
  u: z.string(),
  k: z.string(),
  s: z.string(),
  c: z.string(),
  e: z.number().int(),
});

/** The header value for `identity`, resolved from `cookies`, valid for the TTL from `nowInMs`. */
export function toIdentityHeader(
  identity: Identity,
  cookies: IdentityCookies,
  keys: IdentityHeaderKeys,
  nowInMs: number = Date.now(),
): string {
  return signIdentityHeader(identity, toIdentityCookieHash(cookies, keys), keys, nowInMs);
}

/** {@link toIdentityHeader} for a caller that already holds the cookies' {@link toIdentityCookieHash}. */
export function signIdentityHeader(
  identity: Identity,
  cookieHash: string,
  keys: IdentityHeaderKeys,
  nowInMs: number = Date.now(),
): string {
  const payload = {
    u: identity.userId,
    k: identity.kind,
    s: identity.sessionId,
    c: cookieHash,
    e: Math.floor(nowInMs / 1000) + IDENTITY_HEADER_TTL_IN_SECONDS,
  };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${signed}.${toMac(signed, keys).toString("base64url")}`;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a value's MAC vouches for; whether it applies to a request depends on the time and cookies. */
interface VerifiedHeader {
  identity: Readonly<Identity>;
  cookieHash: Buffer;
  expiresAt: number;
}

/**
 * Values whose MAC already verified, per key set, so that a value seen again (middleware
 * signs one per session per second) costs a lookup instead of a MAC, a decode and two
 * schema checks. Only values that verified are kept, so a client cannot fill it; expiry and
 * the cookie binding are still checked on every call.
 */
export const VERIFIED_HEADERS_MAX_ENTRIES = 4096;
const verifiedByKeys = new WeakMap<IdentityHeaderKeys, Map<string, VerifiedHeader>>();

function verifyIdentityHeader(value: string, keys: IdentityHeaderKeys): VerifiedHeader | null {
  const [version, payloadPart, macPart, ...rest] = value.split(".");
  if (version !== VERSION || !payloadPart || !macPart || rest.length > 0) return null;
  // Compared as text: decoding would accept other spellings of the same MAC.
  const mac = Buffer.from(macPart);
  if (!safeEqual(mac, Buffer.from(toMac(`${version}.${payloadPart}`, keys).toString("base64url"))))
    return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const payload = payloadSchema.safeParse(json);
  if (!payload.success) return null;
  const identity = identitySchema.safeParse({
    userId: payload.data.u,
    kind: payload.data.k,
    sessionId: payload.data.s,
  });
  if (!identity.success) return null;
  return {
    identity: Object.freeze(identity.data),
    cookieHash: Buffer.from(payload.data.c),
    expiresAt: payload.data.e,
  };
}

function toVerifiedHeader(value: string, keys: IdentityHeaderKeys): VerifiedHeader | null {
  let verified = verifiedByKeys.get(keys);
  if (!verified) {
    verified = new Map();
    verifiedByKeys.set(keys, verified);
  }
  const known = verified.get(value);
  if (known) return known;
  const fresh = verifyIdentityHeader(value, keys);
  if (!fresh) return null;
  // Oldest first: Map keeps insertion order, and values expire in the order they were signed.
  while (verified.size >= VERIFIED_HEADERS_MAX_ENTRIES)
    verified.delete(verified.keys().next().value as string);
  verified.set(value, fresh);
  return fresh;
}

/** How many verified values are kept for `keys` (for tests and diagnostics). */
export function countVerifiedHeaders(keys: IdentityHeaderKeys): number {
  return verifiedByKeys.get(keys)?.size ?? 0;
}

/**
 * The identity a header value vouches for on a request with `cookies`, or null when the
 * value is missing, malformed, forged, expired or bound to other cookies.
 */
export function parseIdentityHeader(
  value: string | null | undefined,
  cookies: IdentityCookies,
  keys: IdentityHeaderKeys,
  nowInMs: number = Date.now(),
): Identity | null {
  if (!value || value.length > MAX_HEADER_LENGTH) return null;
  const verified = toVerifiedHeader(value, keys);
  if (!verified) return null;
  const nowInSeconds = Math.floor(nowInMs / 1000);
  if (verified.expiresAt <= nowInSeconds) return null;
  if (verified.expiresAt > nowInSeconds + IDENTITY_HEADER_TTL_IN_SECONDS + CLOCK_SKEW_IN_SECONDS)
    return null;
  const expected = Buffer.from(toIdentityCookieHash(cookies, keys));
  if (!safeEqual(verified.cookieHash, expected)) return null;
  return { ...verified.identity };
}
