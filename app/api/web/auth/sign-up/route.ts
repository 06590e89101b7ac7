import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { authResponseSchema, signUpRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/auth/sign-up {email, password}: creates the member, starts a new member
 * session (the `__Host-foyer_session` cookie) and brings the guest's data along (the guest
 * cookie names the guest; it is cleared once merged). Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.signUp,
    request: signUpRequestSchema,
    response: authResponseSchema,
    errors: {
      "conflict:account": "This email cannot be used to sign up. If it is yours, sign in instead.",
      "rate_limited:sign_in": "Too many attempts. Wait a few minutes and try again.",
    },
  }),
);
