import { guestSessionRequestSchema } from "../../../shared/contracts/guest-session";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import { log } from "../../common/log";
import { isSameOriginRequest } from "../../common/same-origin";
import {
  type AuthorityRequest,
  type AuthorityResponse,
  callAuthority,
} from "../authority-client/authority-client";
import { readIdentityCookies } from "./cookie-allow-list";
import { toErrorReply, toGuestSessionReply, toResponse } from "./guest-session-reply";
import { toAuthorityOutcome } from "./proxy-reply";
import { readJsonBody } from "./read-route-json";
import { toAuthorityContextHeaders, toRequestId } from "./request-context";

/** Largest body POST /api/web/guest-session accepts. */
export const GUEST_SESSION_BODY_MAX_IN_BYTES = 8 * 1024;

export interface GuestSessionProxyDeps {
  /** The authority call; default: the process-wide client for `authorityUrl`. */
  call?: (request: AuthorityRequest) => Promise<AuthorityResponse>;
  /** Base URL of the authority; default `FOYER_AUTHORITY_URL`. */
  authorityUrl?: string;
  /** Per-call headers/body timeout (the client's default otherwise). */
  timeoutInMs?: number;
  /** Allowed origins; default `FOYER_PUBLIC_ORIGIN` (comma-separated), else the Host header's. */
  publicOrigins?: readonly string[];
}

/**
 * POST /api/web/guest-session (DESIGN, guest-session contract): same-origin check → body
 * validation → one authority call carrying only the guest cookie and the client context →
 * the pure mapping in guest-session-mapping. Never logs cookie values or tokens.
 */
export async function proxyGuestSession(
  request: Request,
  deps: GuestSessionProxyDeps = {},
): Promise<Response> {
  const requestId = toRequestId(request.headers.get(REQUEST_ID_HEADER));
  const tag: Array<[string, string]> = [[REQUEST_ID_HEADER, requestId]];
  if (!isSameOriginRequest(request, deps.publicOrigins)) {
    return toResponse(
      toErrorReply("forbidden:origin", "Cross-site requests are not allowed."),
      tag,
    );
  }

  const parsed = await readJsonBody(
    request,
    guestSessionRequestSchema,
    GUEST_SESSION_BODY_MAX_IN_BYTES,
  );
  if (!parsed.ok) return toResponse(toErrorReply(parsed.code, parsed.message), tag);

  const call = deps.call ?? ((r: AuthorityRequest) => callAuthority(r, deps.authorityUrl));
  // The member cookie's value travels in the body for the authority to unseal and check;
  // the Cookie header it receives carries the guest cookie only.
  const memberSession = readIdentityCookies(request.headers.get("cookie")).memberSession;
  const outcome = await toAuthorityOutcome(call, {
    path: "/v1/guest-session",
    body: memberSession ? { ...parsed.data, memberSession } : parsed.data,
    headers: toAuthorityContextHeaders(request.headers, requestId, { forwardGuestCookie: true }),
    timeoutInMs: deps.timeoutInMs,
  });
  const reply = toGuestSessionReply(parsed.data.mode, outcome);
  if (reply.status >= 500) {
    log("guest_session.proxy_failed", {
      requestId,
      status: reply.status,
      upstream: outcome.kind === "response" ? outcome.response.status : outcome.failure,
    });
  }
  return toResponse(reply, tag);
}
