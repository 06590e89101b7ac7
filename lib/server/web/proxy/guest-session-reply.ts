import {
  type GuestSessionMode,
  type GuestSessionRequest,
  guestSessionRequestSchema,
  guestSessionResponseSchema,
} from "../../../shared/contracts/guest-session";
import { AUTHORITY_ROUTES } from "../../common/authority-contract";
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
 * Pure mapping from what the authority did to what POST /api/web/guest-session answers
 * (docs/design.md §3.3 and S4). Only a validated 200, a `lookup_only` 204 and a
 * `revoked` 403 are the authority's word; everything else is a gateway fault (502/503/504)
 * and never a miss. Set-Cookie passes through, unfolded, on those three paths only, so
 * the guest cookie is left untouched on every error.
 */

/** A well-formed end reason from the authority's body (a short snake_case word), or null. */
function toEndReason(body: unknown): string | null {
  const reason = (body as { error?: { reason?: unknown } } | null)?.error?.reason;
  return typeof reason === "string" && /^[a-z_]{1,32}$/.test(reason) ? reason : null;
}

function toError(reply: ProxyReply): Record<string, unknown> {
  return (reply.body as { error: Record<string, unknown> }).error;
}

export function toGuestSessionProxyReply(
  mode: GuestSessionMode,
  outcome: AuthorityOutcome,
): ProxyReply {
  if (outcome.kind === "failure") return FAILURE_REPLIES[outcome.failure]();
  const { response } = outcome;
  switch (response.status) {
    case 200: {
      const parsed = guestSessionResponseSchema.safeParse(response.body);
      if (!parsed.success) {
        return toErrorReply(
          "bad_gateway:authority",
          "The session service sent a malformed session.",
        );
      }
      return { status: 200, body: parsed.data, headers: toSetCookieHeaders(response) };
    }
    case 204:
      // A miss is an answer only to lookup_only; lookup_or_create must yield a session.
      if (mode !== "lookup_only") return badGateway(204);
      return { status: 204, headers: toSetCookieHeaders(response) };
    case 403: {
      if (!hasErrorCode(response.body, "revoked:guest_session")) return badGateway(403);
      const reply = toErrorReply(
        "revoked:guest_session",
        "This guest session was revoked.",
        toSetCookieHeaders(response),
      );
      const reason = toEndReason(response.body);
      return reason ? { ...reply, body: { error: { ...toError(reply), reason } } } : reply;
    }
    case 429:
      return toErrorReply(
        "rate_limited:guest_creation",
        "Too many new guests; retry later.",
        toRetryAfterHeaders(response),
      );
    default:
      // 400 (our body was valid, so the disagreement is the gateway's), 404, 5xx, anything else.
      return badGateway(response.status);
  }
}

/**
 * POST /api/web/guest-session (docs/design.md, guest-session contract) as the pipeline runs
 * it: the browser's `{ mode, legacyToken? }` to `/v1/guest-session`, answered by
 * {@link toGuestSessionProxyReply}.
 */
export const GUEST_SESSION_ROUTE: AuthorityRouteSpec<GuestSessionRequest> = {
  path: AUTHORITY_ROUTES.guestSession,
  request: guestSessionRequestSchema,
  toReply: (outcome, body) => toGuestSessionProxyReply(body.mode, outcome),
  failureEvent: "guest_session.proxy_failed",
};
