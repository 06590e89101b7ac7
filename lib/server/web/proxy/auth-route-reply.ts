import type { z } from "zod";
import type { ErrorCode } from "../../../shared/errors";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import { log } from "../../common/log";
import { isSameOriginRequest } from "../../common/same-origin";
import type {
  AuthorityRequest,
  AuthorityResponse,
} from "../authority-client/create-authority-client";
import { readIdentityCookies } from "./cookie-allow-list";
import {
  type AuthorityOutcome,
  badGateway,
  FAILURE_REPLIES,
  hasErrorCode,
  type ProxyReply,
  toAuthorityOutcome,
  toErrorReply,
  toResponse,
  toRetryAfterHeaders,
  toSetCookieHeaders,
} from "./proxy-reply";
import { readJsonBody } from "./read-route-json";
import { toAuthorityContextHeaders, toRequestId } from "./request-context";

/**
 * The member routes (`/api/web/auth/*`) are thin proxies to the authority's `/v1/auth/*`:
 * same-origin check (login CSRF: a cross-site form can neither sign a victim in nor merge
 * their guest) → zod → one authority call carrying the guest cookie and, in the body, the
 * member cookie's value → a pure mapping of the answer. Identity changes happen only in the
 * authority; this layer never reads or trusts ids from the body.
 */
export interface AuthRouteSpec {
  /** The authority route behind this one. */
  path: `/v1/${string}`;
  request: z.ZodType<Record<string, unknown>>;
  /** The 200 body's schema, or null for a route that answers 204. */
  response: z.ZodType | null;
  /** The authority's error codes that are this route's own answers, with what users read. */
  errors: Partial<Record<ErrorCode, string>>;
}

/** Largest body an auth route reads. */
export const AUTH_BODY_MAX_IN_BYTES = 8 * 1024;
/**
 * How long an auth route waits for the authority: above its worst case (an argon2id hash,
 * the store, and up to two session changes each waiting up to 2 s for every gateway node),
 * so a sign-in that committed is never reported as failed with its cookie thrown away.
 */
export const AUTH_ROUTE_TIMEOUT_IN_MS = 15_000;

/** Pure: what the route answers for what the authority did. Unknown answers are 502s. */
export function toAuthRouteReply(spec: AuthRouteSpec, outcome: AuthorityOutcome): ProxyReply {
  if (outcome.kind === "failure") return FAILURE_REPLIES[outcome.failure]();
  const { response } = outcome;
  const cookies = toSetCookieHeaders(response);
  if (response.status === 200 && spec.response) {
    const parsed = spec.response.safeParse(response.body);
    if (!parsed.success) return toErrorReply("bad_gateway:authority", "Unexpected answer.");
    return { status: 200, body: parsed.data, headers: cookies };
  }
  if (response.status === 204 && spec.response === null) {
    return { status: 204, headers: cookies };
  }
  for (const [code, message] of Object.entries(spec.errors) as [ErrorCode, string][]) {
    if (hasErrorCode(response.body, code)) {
      return toErrorReply(code, message, [...cookies, ...toRetryAfterHeaders(response)]);
    }
  }
  return badGateway(response.status);
}

export interface AuthProxyDeps {
  call: (request: AuthorityRequest) => Promise<AuthorityResponse>;
  publicOrigins?: readonly string[];
}

export async function proxyAuthRoute(
  request: Request,
  spec: AuthRouteSpec,
  deps: AuthProxyDeps,
): Promise<Response> {
  const requestId = toRequestId(request.headers.get(REQUEST_ID_HEADER));
  const tag: Array<[string, string]> = [[REQUEST_ID_HEADER, requestId]];
  if (!isSameOriginRequest(request, deps.publicOrigins)) {
    return toResponse(
      toErrorReply("forbidden:origin", "Cross-site requests are not allowed."),
      tag,
    );
  }
  const parsed = await readJsonBody(request, spec.request, AUTH_BODY_MAX_IN_BYTES);
  if (!parsed.ok) {
    return toResponse(toErrorReply(parsed.code, parsed.message, [], parsed.fields), tag);
  }
  const memberSession = readIdentityCookies(request.headers.get("cookie")).memberSession;
  const outcome = await toAuthorityOutcome(deps.call, {
    path: spec.path,
    body: memberSession ? { ...parsed.data, memberSession } : parsed.data,
    headers: toAuthorityContextHeaders(request.headers, requestId, { forwardGuestCookie: true }),
    timeoutInMs: AUTH_ROUTE_TIMEOUT_IN_MS,
  });
  const reply = toAuthRouteReply(spec, outcome);
  if (reply.status >= 500) {
    log("auth.proxy_failed", {
      requestId,
      path: spec.path,
      status: reply.status,
      upstream: outcome.kind === "response" ? outcome.response.status : outcome.failure,
    });
  }
  return toResponse(reply, tag);
}
