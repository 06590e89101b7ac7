import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_PROOF_HEADER,
  REQUEST_ID_HEADER,
} from "../../../shared/names";
import { getClientAddressKey, toClientAddressProof } from "../../common/client-address-proof";
import { toForwardedCookieHeader } from "./cookie-allow-list";

/**
 * The client context the web side passes to the authority: a request id, the user agent
 * and the client address the custom server computed, with its proof (docs/design.md S2:
 * the authority believes the address only with it). Nothing else from the browser's
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

export interface AuthorityContextOptions {
  forwardGuestCookie: boolean;
  /**
   * The key that proves the client address; null sends the address without proof (the
   * authority then limits by the TCP peer). @default from `FOYER_TOKEN_SIGNING_KEY`
   */
  clientAddressKey?: Buffer | null;
}

/** Headers for an authority call made on behalf of a browser request. */
export function toAuthorityContextHeaders(
  requestHeaders: Headers,
  requestId: string,
  options: AuthorityContextOptions,
): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
  const userAgent = requestHeaders.get("user-agent");
  if (userAgent) headers["user-agent"] = userAgent.slice(0, USER_AGENT_MAX_LENGTH);
  // Only the custom server sets this header (it deletes every client-sent `x-foyer-*`).
  const clientAddress = requestHeaders.get(CLIENT_ADDRESS_HEADER);
  if (clientAddress) {
    headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    const key =
      options.clientAddressKey === undefined ? getClientAddressKey() : options.clientAddressKey;
    if (key) headers[CLIENT_ADDRESS_PROOF_HEADER] = toClientAddressProof(clientAddress, key);
  }
  if (options.forwardGuestCookie) {
    const cookie = toForwardedCookieHeader(requestHeaders.get("cookie"));
    if (cookie) headers.cookie = cookie;
  }
  return headers;
}
