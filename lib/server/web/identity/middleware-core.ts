import type { Identity } from "../../../shared/contracts/identity";
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_FORBIDDEN_HEADERS,
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
} from "../../../shared/names";
import { hasIdentityCookies, readIdentityCookies } from "../proxy/cookie-allow-list";
import { toAuthorityContextHeaders, toRequestId } from "../proxy/request-context";
import { getProcessIdentityCache, type IdentityCache } from "./identity-cache";
import {
  type IdentityHeaderKeys,
  signIdentityHeader,
  toIdentityCookieHash,
} from "./identity-header";
import {
  getIdentityHeaderKeys,
  type ResolveDeps,
  resolveIdentityFromCookies,
} from "./resolve-identity";

/**
 * What middleware.ts does, as plain functions (docs/design.md §4 and S1): drop every
 * identity-like header the client sent and the headers known to skip middleware
 * (CVE-2025-29927), resolve the identity from the cookies, and attach it signed and bound
 * to those cookies. An unavailable authority attaches nothing; the page never fails here.
 * Resolved identities are cached per process (identity-cache.ts) while this process learns
 * of every session change, so most requests never reach the authority.
 */

/**
 * Routes that resolve identity themselves in the authority (and would only pay for a second
 * lookup): exact paths, and prefixes ending in `/`.
 */
export const SELF_RESOLVING_PATHS: readonly string[] = [
  "/api/web/guest-session",
  "/api/web/guest-session/",
  "/api/web/auth/",
  "/api/web/sessions/",
  "/api/web/socket-token/",
];

const FORBIDDEN = new Set<string>(CLIENT_FORBIDDEN_HEADERS);

/**
 * A copy of the request headers without client-made identity or internal Next.js headers.
 * Only the client address survives among `x-foyer-*`: the custom server set it after
 * deleting whatever the client sent. (Header names are case-insensitive; `Headers` lowers them.)
 */
export function toForwardedRequestHeaders(incoming: Headers): Headers {
  const headers = new Headers(incoming);
  for (const name of [...headers.keys()]) {
    if (name === CLIENT_ADDRESS_HEADER) continue;
    if (FORBIDDEN.has(name) || name.startsWith("x-foyer-") || name.startsWith("x-middleware-")) {
      headers.delete(name);
    }
  }
  return headers;
}

function isSelfResolving(pathname: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return SELF_RESOLVING_PATHS.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p));
}

/** How long a signed header value is reused for an identity the cache still holds. */
export const SIGNED_HEADER_REUSE_IN_MS = 10_000;

/**
 * Header values signed for the identities the cache holds, keyed by the cached object
 * itself: a cache hit reuses the value instead of signing again, a replaced or dropped
 * entry (any session change) takes its value with it, and no value outlives the reuse window.
 */
const signedHeaders = new WeakMap<Identity, { cookieHash: string; value: string; at: number }>();

function toSignedHeader(
  identity: Identity,
  cookieHash: string,
  keys: IdentityHeaderKeys,
  nowInMs: number,
): string {
  const known = signedHeaders.get(identity);
  const age = known ? nowInMs - known.at : -1;
  if (known?.cookieHash === cookieHash && age >= 0 && age < SIGNED_HEADER_REUSE_IN_MS)
    return known.value;
  const value = signIdentityHeader(identity, cookieHash, keys, nowInMs);
  signedHeaders.set(identity, { cookieHash, value, at: nowInMs });
  return value;
}

/** The request headers middleware forwards: stripped, with a request id and, when known, the identity. */
export async function resolveMiddlewareRequestHeaders(
  request: Request & { nextUrl?: { pathname: string } },
  deps: Pick<ResolveDeps, "call"> & { nowInMs?: number; cache?: IdentityCache | null } = {},
): Promise<Headers> {
  const headers = toForwardedRequestHeaders(request.headers);
  const requestId = toRequestId(headers.get(REQUEST_ID_HEADER));
  headers.set(REQUEST_ID_HEADER, requestId);
  if (isSelfResolving(request.nextUrl?.pathname ?? new URL(request.url).pathname)) return headers;

  const keys = getIdentityHeaderKeys();
  const cookies = readIdentityCookies(headers.get("cookie"));
  if (!keys || !hasIdentityCookies(cookies)) return headers;
  const cache = deps.cache === undefined ? getProcessIdentityCache() : deps.cache;
  const key = toIdentityCookieHash(cookies, keys);
  const nowInMs = deps.nowInMs ?? Date.now();
  let identity = cache?.get(key, nowInMs) ?? null;
  if (!identity) {
    const begun = cache?.begin() ?? 0;
    const resolution = await resolveIdentityFromCookies(cookies, {
      call: deps.call,
      headers: toAuthorityContextHeaders(headers, requestId, { forwardGuestCookie: false }),
    });
    if (resolution.status !== "identified") return headers;
    identity = resolution.identity;
    cache?.remember(key, identity, begun, nowInMs);
  }
  headers.set(IDENTITY_HEADER, toSignedHeader(identity, key, keys, nowInMs));
  return headers;
}
