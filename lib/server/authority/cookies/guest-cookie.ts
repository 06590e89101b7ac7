import { createHmac, randomBytes } from "node:crypto";
import { parse, type SerializeOptions, serialize } from "cookie";
import { GUEST_SESSION_COOKIE } from "../../../shared/names";

/** A guest cookie lives a year; the session row, not the cookie, decides whether it is live. */
export const GUEST_SESSION_MAX_AGE_IN_SECONDS = 365 * 24 * 60 * 60;

/** 32 random bytes, base64url: exactly 43 characters of `[A-Za-z0-9_-]`. */
const GUEST_COOKIE_VALUE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Longest Cookie header the authority reads; past that it is treated as absent. */
const COOKIE_HEADER_MAX_LENGTH = 8192;

/** `__Host-` requires Secure, Path=/ and no Domain; these attributes hold for set and clear alike. */
const GUEST_COOKIE_ATTRIBUTES: SerializeOptions = {
  path: "/",
  httpOnly: true,
  secure: true,
  sameSite: "lax",
};

/** A new guest cookie value: 256 random bits. */
export function createGuestCookieValue(): string {
  return randomBytes(32).toString("base64url");
}

/** True for a value {@link createGuestCookieValue} could have made. */
export function isGuestCookieValue(value: unknown): value is string {
  return typeof value === "string" && GUEST_COOKIE_VALUE_PATTERN.test(value);
}

/** HMAC-SHA256(pepper, secret) as hex: the only form of a guest secret the store keeps. */
export function hashGuestSecret(secret: string, pepper: string): string {
  return createHmac("sha256", pepper).update(secret, "utf8").digest("hex");
}

/**
 * The guest cookie's value from a Cookie header, or null when absent or not well formed
 * (a tampered, truncated or oversized value is no session, and is never echoed).
 */
export function readGuestCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader || cookieHeader.length > COOKIE_HEADER_MAX_LENGTH) return null;
  const value = parse(cookieHeader)[GUEST_SESSION_COOKIE];
  return isGuestCookieValue(value) ? value : null;
}

/** `Set-Cookie` that stores `value` as the guest cookie. */
export function toGuestSessionSetCookie(value: string): string {
  if (!isGuestCookieValue(value)) throw new Error("authority/cookies: not a guest cookie value");
  return serialize(GUEST_SESSION_COOKIE, value, {
    ...GUEST_COOKIE_ATTRIBUTES,
    maxAge: GUEST_SESSION_MAX_AGE_IN_SECONDS,
  });
}

/** `Set-Cookie` that clears the guest cookie, with the same attributes it was set with. */
export function toClearedGuestSessionSetCookie(): string {
  return serialize(GUEST_SESSION_COOKIE, "", { ...GUEST_COOKIE_ATTRIBUTES, maxAge: 0 });
}
