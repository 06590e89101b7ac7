import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import type { Identity } from "../../../shared/contracts/identity";
import { toErrorBody, toHttpStatus } from "../../../shared/errors";
import { IDENTITY_HEADER, REQUEST_ID_HEADER } from "../../../shared/names";
import { readIdentityCookies } from "../proxy/cookie-allow-list";
import { toAuthorityContextHeaders, toRequestId } from "../proxy/request-context";
import { IdentityError, type IdentityResolution, resolveRequestIdentity } from "./resolve-identity";

/**
 * The identity data-access layer: the one server-side way handlers and server components
 * learn who a request acts for (docs/design.md §4 and S1). The middleware's identity
 * header is accepted only when its MAC verifies, it has not expired and it is bound to this
 * request's cookies; otherwise the cookies are resolved again through the authority.
 */
const resolveThisRequest = cache(async (): Promise<IdentityResolution> => {
  const requestHeaders = await headers();
  const requestId = toRequestId(requestHeaders.get(REQUEST_ID_HEADER));
  return resolveRequestIdentity(
    {
      identityHeader: requestHeaders.get(IDENTITY_HEADER),
      cookies: readIdentityCookies(requestHeaders.get("cookie")),
    },
    {
      headers: toAuthorityContextHeaders(requestHeaders, requestId, { forwardGuestCookie: false }),
    },
  );
});

/** The request's identity, or null when it has none (or the authority cannot say). Cached per request. */
export async function getIdentity(): Promise<Identity | null> {
  const resolution = await resolveThisRequest();
  return resolution.status === "identified" ? resolution.identity : null;
}

/** The request's identity; throws an {@link IdentityError} (401, or 503 when the authority is down). */
export async function requireIdentity(): Promise<Identity> {
  const resolution = await resolveThisRequest();
  if (resolution.status === "identified") return resolution.identity;
  throw new IdentityError(
    resolution.status === "unavailable" ? "unavailable:authority" : "unauthorized:session",
  );
}

/** The JSON error response for an {@link IdentityError}, for route handlers that catch it. */
export function toIdentityErrorResponse(error: IdentityError): Response {
  return Response.json(toErrorBody(error.code, error.message), {
    status: toHttpStatus(error.code),
    headers: { "cache-control": "no-store" },
  });
}

export { IdentityError };
