import type { z } from "zod";
import type { ErrorCode } from "../../../shared/errors";
import type { AuthorityPath } from "../../common/authority-contract";
import type { AuthorityRouteSpec } from "./authority-route";
import {
  type AuthorityOutcome,
  badGateway,
  FAILURE_REPLIES,
  hasErrorCode,
  type ProxyReply,
  toErrorReply,
  toRetryAfterHeaders,
  toSetCookieHeaders,
} from "./proxy-reply";

/**
 * What an auth-shaped route (the member routes, sessions, tokens) is: one authority route, a
 * body schema, the 200 body's schema, and which of the authority's error codes are its own
 * answers. {@link defineAuthRoute} makes it an {@link AuthorityRouteSpec}.
 */
export interface AuthRouteSpec {
  /** The authority route behind this one, from `AUTHORITY_ROUTES`. */
  path: AuthorityPath;
  request: z.ZodType<Record<string, unknown>>;
  /** The 200 body's schema, or null for a route that answers 204. */
  response: z.ZodType | null;
  /** The authority's error codes that are this route's own answers, with what users read. */
  errors: Partial<Record<ErrorCode, string>>;
}

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

/** The pipeline's spec for an auth-shaped route: its reply mapping and the auth timeout. */
export function defineAuthRoute(spec: AuthRouteSpec): AuthorityRouteSpec<Record<string, unknown>> {
  return {
    path: spec.path,
    request: spec.request,
    timeoutInMs: AUTH_ROUTE_TIMEOUT_IN_MS,
    toReply: (outcome) => toAuthRouteReply(spec, outcome),
    failureEvent: "auth.proxy_failed",
  };
}
