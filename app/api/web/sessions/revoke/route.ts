import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { revocationResponseSchema, revokeSessionRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/sessions/revoke",
  request: revokeSessionRequestSchema,
  response: revocationResponseSchema,
  errors: {
    "unauthorized:session": "Sign in first.",
    "not_found:session": "That session has already ended.",
  },
};

/**
 * POST /api/web/sessions/revoke {sessionId}: ends one of the signed-in member's sessions on
 * every gateway node before answering `revoked` (or `pending`). Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
