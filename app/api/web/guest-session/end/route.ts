import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { endGuestSessionRequestSchema, revocationResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/guest-session/end",
  request: endGuestSessionRequestSchema,
  response: revocationResponseSchema,
  errors: {},
};

/**
 * POST /api/web/guest-session/end {}: a guest ends its own session (its sockets close on
 * every node before the answer) and the guest cookie is cleared. Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
