import { type ErrorCode, toErrorBody, toHttpStatus } from "../../../shared/errors";
import {
  AuthorityCallError,
  type AuthorityFailure,
  type AuthorityRequest,
  type AuthorityResponse,
} from "../authority-client/create-authority-client";

/**
 * The pieces every web route that proxies to the session authority shares: what one call
 * came to, the reply it maps to (pure), and the Response for a reply. Set-Cookie values
 * pass through one header each, never folded.
 */

/** The result of one authority call: its response, or why there was none. */
export type AuthorityOutcome =
  | { kind: "response"; response: AuthorityResponse }
  | { kind: "failure"; failure: AuthorityFailure };

/** Makes one authority call and says what it came to; never throws. */
export async function fetchAuthorityOutcome(
  call: (request: AuthorityRequest) => Promise<AuthorityResponse>,
  request: AuthorityRequest,
): Promise<AuthorityOutcome> {
  try {
    return { kind: "response", response: await call(request) };
  } catch (error) {
    return {
      kind: "failure",
      failure: error instanceof AuthorityCallError ? error.failure : "other",
    };
  }
}

export interface ProxyReply {
  status: number;
  /** JSON body; omitted for 204. */
  body?: unknown;
  /** In order; a name may repeat (Set-Cookie). */
  headers: Array<[string, string]>;
}

/** Delta-seconds only; anything else upstream sends is dropped rather than relayed. */
const RETRY_AFTER = /^\d{1,9}$/;

/** The upstream's Retry-After, when it is plain delta-seconds. */
export function toRetryAfterHeaders(response: AuthorityResponse): Array<[string, string]> {
  const retryAfter = response.headers["retry-after"]?.trim();
  return retryAfter && RETRY_AFTER.test(retryAfter) ? [["retry-after", retryAfter]] : [];
}

export function toErrorReply(
  code: ErrorCode,
  message: string,
  headers: Array<[string, string]> = [],
  fields?: Record<string, string>,
): ProxyReply {
  return { status: toHttpStatus(code), body: toErrorBody(code, message, fields), headers };
}

export const FAILURE_REPLIES: Record<AuthorityFailure, () => ProxyReply> = {
  refused: () =>
    toErrorReply("unavailable:authority", "The session service is unavailable; try again shortly."),
  timeout: () =>
    toErrorReply("timeout:authority", "The session service did not answer in time; try again."),
  other: () => toErrorReply("bad_gateway:authority", "The session service failed; try again."),
};

export function badGateway(status: number): ProxyReply {
  return toErrorReply(
    "bad_gateway:authority",
    `The session service answered ${status} unexpectedly; try again.`,
  );
}

export function toSetCookieHeaders(response: AuthorityResponse): Array<[string, string]> {
  return response.setCookie.map((value) => ["set-cookie", value]);
}

export function hasErrorCode(body: unknown, code: ErrorCode): boolean {
  const error = (body as { error?: { code?: unknown } } | null | undefined)?.error;
  return typeof error === "object" && error !== null && error.code === code;
}

/** The HTTP response for a reply: JSON (or empty for 204), never cached. */
export function toResponse(
  reply: ProxyReply,
  extraHeaders: Array<[string, string]> = [],
): Response {
  const headers = new Headers();
  for (const [name, value] of [...reply.headers, ...extraHeaders]) headers.append(name, value);
  headers.set("cache-control", "no-store");
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
