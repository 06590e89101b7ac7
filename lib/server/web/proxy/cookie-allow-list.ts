import {
  GUEST_COOKIE_MAX_LENGTH,
  GUEST_SESSION_COOKIE,
  MEMBER_COOKIE_MAX_LENGTH,
  MEMBER_SESSION_COOKIE,
} from "../../../shared/names";

/**
 * Which cookie values leave the web process (docs/design.md, S2: "forwards to
 * the authority only the `__Host-foyer_guest_session` cookie, never any other cookie").
 * Names match exactly and case-sensitively; the first occurrence decides (as
 * `cookie.parse` in the authority does); an empty, malformed or oversized value is absent.
 */

/** RFC 6265 cookie-octets, optionally in double quotes. */
const COOKIE_VALUE =
  /^(?:[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+|"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+")$/;

/**
 * The value of the first cookie named exactly `name` in a Cookie header, as sent (quotes
 * kept), or null when absent, empty, malformed or longer than `maxLength`.
 */
export function readCookieValue(
  cookieHeader: string | null | undefined,
  name: string,
  maxLength: number,
): string | null {
  if (!cookieHeader) return null;
  for (const pair of cookieHeader.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length <= maxLength && COOKIE_VALUE.test(value) ? value : null;
  }
  return null;
}

/** The Cookie header to send to the authority: only the guest cookie, or null for none. */
export function toForwardedCookieHeader(cookieHeader: string | null | undefined): string | null {
  const value = readCookieValue(cookieHeader, GUEST_SESSION_COOKIE, GUEST_COOKIE_MAX_LENGTH);
  return value === null ? null : `${GUEST_SESSION_COOKIE}=${value}`;
}

/** The cookies an identity is resolved from, and bound to by the identity header. */
export interface IdentityCookies {
  guestSession: string | null;
  memberSession: string | null;
}

export function readIdentityCookies(cookieHeader: string | null | undefined): IdentityCookies {
  return {
    guestSession: readCookieValue(cookieHeader, GUEST_SESSION_COOKIE, GUEST_COOKIE_MAX_LENGTH),
    memberSession: readCookieValue(cookieHeader, MEMBER_SESSION_COOKIE, MEMBER_COOKIE_MAX_LENGTH),
  };
}

export function hasIdentityCookies(cookies: IdentityCookies): boolean {
  return cookies.guestSession !== null || cookies.memberSession !== null;
}
