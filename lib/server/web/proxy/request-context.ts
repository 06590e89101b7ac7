import { CLIENT_ADDRESS_HEADER, REQUEST_ID_HEADER } from "../../../shared/names";
import { toForwardedCookieHeader } from "./cookie-allow-list";

/**
 * The client context the web side passes to the authority: a request id, the user agent
 * and the client address the custom server computed. Nothing else from the browser's
 * headers crosses, and of its cookies only the guest cookie (see cookie-allow-list).
 */

/** A client-sent request id is kept only in this shape (no log or header injection). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
/** Longest user agent forwarded; longer ones are cut. */
export const USER_AGENT_MAX_LENGTH = 512;

/** The request's id if it sent a well-formed one, else a new random one. */
export function toRequestId(value: string | null | undefined): string {
  return value && REQUEST_ID.test(value) ? value : crypto.randomUUID();
}

/** Headers for an authority call made on behalf of a browser request. */
export function toAuthorityContextHeaders(
  requestHeaders: Headers,
  requestId: string,
  options: { forwardGuestCookie: boolean },
): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
  const userAgent = requestHeaders.get("user-agent");
  if (userAgent) headers["user-agent"] = userAgent.slice(0, USER_AGENT_MAX_LENGTH);
  const clientAddress = requestHeaders.get(CLIENT_ADDRESS_HEADER);
  if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
  if (options.forwardGuestCookie) {
    const cookie = toForwardedCookieHeader(requestHeaders.get("cookie"));
    if (cookie) headers.cookie = cookie;
  }
  return headers;
}
