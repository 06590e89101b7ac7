import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { signOutRequestSchema, signOutResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/auth/sign-out",
  request: signOutRequestSchema,
  response: signOutResponseSchema,
  errors: {
    "unauthorized:session":
      "This browser's session has already ended. Sign in again to end your other sessions.",
  },
};

/**
 * POST /api/web/auth/sign-out {everywhere?}: ends this member session (or all of them) on
 * every gateway node before answering `signed_out` (or `pending` when a node did not
 * confirm in time), and clears the cookie. Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
