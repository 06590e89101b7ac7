import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type Identity, identitySchema } from "../shared/identity";
import type { IdentityCookies } from "./cookie-allow-list";

/**
 * The identity header (`IDENTITY_HEADER`) middleware attaches for server components and
 * handlers (DESIGN, middleware contract: "a forged header never yields an identity").
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
  cookieHash: Buffer;
}

let cachedKeys: { password: string; keys: IdentityHeaderKeys } | null = null;

/** Sub-keys for the header, derived from the session password (cached for the last password). */
export function toIdentityHeaderKeys(password: string): IdentityHeaderKeys {
  if (cachedKeys?.password === password) return cachedKeys.keys;
  const derive = (label: string) => createHmac("sha256", password).update(label).digest();
  const keys = {
    signing: derive("foyer-identity-header-v1"),
    cookieHash: derive("foyer-identity-cookie-hash-v1"),
  };
  cachedKeys = { password, keys };
  return keys;
}

/** Keyed hash of the identity cookies (absent and present cookies hash differently). */
export function toIdentityCookieHash(cookies: IdentityCookies, keys: IdentityHeaderKeys): string {
  const canonical = JSON.stringify([cookies.guestSession, cookies.memberSession]);
  return createHmac("sha256", keys.cookieHash).update(canonical).digest("base64url");
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
  const payload = {
    u: identity.userId,
    k: identity.kind,
    s: identity.sessionId,
    c: toIdentityCookieHash(cookies, keys),
    e: Math.floor(nowInMs / 1000) + IDENTITY_HEADER_TTL_IN_SECONDS,
  };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${signed}.${toMac(signed, keys).toString("base64url")}`;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
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
  const nowInSeconds = Math.floor(nowInMs / 1000);
  const { e: expiresAt, c: cookieHash } = payload.data;
  if (expiresAt <= nowInSeconds) return null;
  if (expiresAt > nowInSeconds + IDENTITY_HEADER_TTL_IN_SECONDS + CLOCK_SKEW_IN_SECONDS)
    return null;
  const expected = Buffer.from(toIdentityCookieHash(cookies, keys));
  if (!safeEqual(Buffer.from(cookieHash), expected)) return null;
  const identity = identitySchema.safeParse({
    userId: payload.data.u,
    kind: payload.data.k,
    sessionId: payload.data.s,
  });
  return identity.success ? identity.data : null;
}
