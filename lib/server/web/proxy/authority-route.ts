import type { z } from "zod";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import type { AuthorityPath } from "../../common/authority-contract";
import { log } from "../../common/log";
import { isSameOriginRequest } from "../../common/same-origin";
import {
  type AuthorityRequest,
  type AuthorityResponse,
  callAuthority,
} from "../authority-client/authority-client";
import { readIdentityCookies } from "./cookie-allow-list";
import {
  type AuthorityOutcome,
  fetchAuthorityOutcome,
  type ProxyReply,
  toErrorReply,
  toResponse,
} from "./proxy-reply";
import { readRouteJson } from "./read-route-json";
import { toAuthorityContextHeaders, toRequestId } from "./request-context";

/** Largest body an authority-backed route reads, unless its spec says otherwise. */
export const ROUTE_BODY_MAX_IN_BYTES = 8 * 1024;

/**
 * One web route backed by one authority route (`/api/web/*` → `/v1/*`): everything that
 * differs between them. Each `app/api/web/**\/route.ts` names one.
 */
export interface AuthorityRouteSpec<Body extends Record<string, unknown>> {
  /** The authority route behind this one, from `AUTHORITY_ROUTES`. */
  path: AuthorityPath;
  /** The browser's body. */
  request: z.ZodType<Body>;
  /** @default ROUTE_BODY_MAX_IN_BYTES */
  bodyMaxInBytes?: number;
  /** How long to wait for the authority. @default the client's `AUTHORITY_TIMEOUT_IN_MS` */
  timeoutInMs?: number;
  /** Pure: what the route answers for what the authority did, given the parsed body. */
  toReply: (outcome: AuthorityOutcome, body: Body) => ProxyReply;
  /** The log event of an answer that is the route's own fault or the authority's (5xx). */
  failureEvent: string;
}

export interface AuthorityRouteDeps {
  /** The authority call. @default the process-wide client for `authorityUrl` */
  call?: (request: AuthorityRequest) => Promise<AuthorityResponse>;
  /** @default `FOYER_AUTHORITY_URL` */
  authorityUrl?: string;
  /** Overrides the spec's timeout (tests). */
  timeoutInMs?: number;
  /** Allowed origins. @default `FOYER_PUBLIC_ORIGIN` (comma-separated), else the Host's */
  publicOrigins?: readonly string[];
}

/**
 * The one pipeline of every authority-backed route: request id → same-origin check (login
 * CSRF: a cross-site form can neither sign a victim in nor merge their guest) → the body,
 * capped and validated → one authority call carrying the client context, the guest cookie
 * only, and the member cookie's value in the body → the spec's pure mapping → a log line
 * for a 5xx. Identity changes happen only in the authority; this layer never reads or trusts
 * ids from the body, and never logs cookie values or tokens (docs/design.md, proxy contract).
 */
export async function proxyAuthorityRoute<Body extends Record<string, unknown>>(
  request: Request,
  spec: AuthorityRouteSpec<Body>,
  deps: AuthorityRouteDeps = {},
): Promise<Response> {
  const requestId = toRequestId(request.headers.get(REQUEST_ID_HEADER));
  const tag: Array<[string, string]> = [[REQUEST_ID_HEADER, requestId]];
  if (!isSameOriginRequest(request, deps.publicOrigins)) {
    return toResponse(
      toErrorReply("forbidden:origin", "Cross-site requests are not allowed."),
      tag,
    );
  }
  const parsed = await readRouteJson(
    request,
    spec.request,
    spec.bodyMaxInBytes ?? ROUTE_BODY_MAX_IN_BYTES,
  );
  if (!parsed.ok) {
    return toResponse(toErrorReply(parsed.code, parsed.message, [], parsed.fields), tag);
  }
  const call = deps.call ?? ((r: AuthorityRequest) => callAuthority(r, deps.authorityUrl));
  // The member cookie's value travels in the body for the authority to unseal and check;
  // the Cookie header it receives carries the guest cookie only.
  const memberSession = readIdentityCookies(request.headers.get("cookie")).memberSession;
  const outcome = await fetchAuthorityOutcome(call, {
    path: spec.path,
    body: memberSession ? { ...parsed.data, memberSession } : parsed.data,
    headers: toAuthorityContextHeaders(request.headers, requestId, { forwardGuestCookie: true }),
    timeoutInMs: deps.timeoutInMs ?? spec.timeoutInMs,
  });
  const reply = spec.toReply(outcome, parsed.data);
  if (reply.status >= 500) {
    log(spec.failureEvent, {
      requestId,
      path: spec.path,
      status: reply.status,
      upstream: outcome.kind === "response" ? outcome.response.status : outcome.failure,
    });
  }
  return toResponse(reply, tag);
}

/** The route handler for `spec`, on the process-wide authority client. */
export function authorityRoute<Body extends Record<string, unknown>>(
  spec: AuthorityRouteSpec<Body>,
): (request: Request) => Promise<Response> {
  return (request) => proxyAuthorityRoute(request, spec);
}
