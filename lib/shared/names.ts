/**
 * Every cookie and header name Foyer reads or writes. Other modules import these
 * constants; a literal name anywhere else is a bug.
 */
export const GUEST_SESSION_COOKIE = "__Host-foyer_guest_session";
export const MEMBER_SESSION_COOKIE = "__Host-foyer_session";

/** Set by middleware only: the identity it resolved, signed and bound to the request's cookies. */
export const IDENTITY_HEADER = "x-foyer-identity";
/** Set by the custom server only: the client address after applying the trusted-proxy list. */
export const CLIENT_ADDRESS_HEADER = "x-foyer-client-address";
/**
 * Set by the web side on its calls to the authority only: an HMAC of the client address
 * (lib/server/common/client-address-proof.ts), without which the authority ignores it.
 */
export const CLIENT_ADDRESS_PROOF_HEADER = "x-foyer-client-address-proof";
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * Headers a client must never be able to set: Foyer's own identity headers, and the
 * internal Next.js header that made middleware skippable (CVE-2025-29927).
 */
export const CLIENT_FORBIDDEN_HEADERS = [
  IDENTITY_HEADER,
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_PROOF_HEADER,
  "x-foyer-user-id",
  "x-foyer-session-id",
  "x-middleware-subrequest",
  "x-middleware-prefetch",
  "x-invoke-path",
  "x-invoke-query",
  "x-invoke-output",
  "x-user-id",
  "x-user",
  "x-auth-user",
  "x-forwarded-user",
  "x-remote-user",
] as const;

/** Longest guest cookie value read or forwarded (real ones are 43 characters). */
export const GUEST_COOKIE_MAX_LENGTH = 512;
/** Longest member session cookie value read (an iron-session seal of a few ids). */
export const MEMBER_COOKIE_MAX_LENGTH = 4096;
