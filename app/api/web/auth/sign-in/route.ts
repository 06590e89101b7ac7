import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authResponseSchema, signInRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/auth/sign-in",
  request: signInRequestSchema,
  response: authResponseSchema,
  errors: {
    "unauthorized:credentials": "Email or password is incorrect.",
    "rate_limited:sign_in": "Too many attempts. Wait a few minutes and try again.",
  },
};

/**
 * POST /api/web/auth/sign-in {email, password}: a new member session (never the one a
 * request arrived with: no fixation) and the guest's data merged in. Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
