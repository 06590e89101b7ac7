import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authResponseSchema, signUpRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/auth/sign-up",
  request: signUpRequestSchema,
  response: authResponseSchema,
  errors: {
    "conflict:account": "This email cannot be used to sign up. If it is yours, sign in instead.",
    "rate_limited:sign_in": "Too many attempts. Wait a few minutes and try again.",
  },
};

/**
 * POST /api/web/auth/sign-up {email, password}: creates the member, starts a new member
 * session (the `__Host-foyer_session` cookie) and brings the guest's data along (the guest
 * cookie names the guest; it is cleared once merged). Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
