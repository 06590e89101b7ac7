import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { authResponseSchema, signInRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/auth/sign-in {email, password}: a new member session (never the one a
 * request arrived with: no fixation) and the guest's data merged in. Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.signIn,
    request: signInRequestSchema,
    response: authResponseSchema,
    errors: {
      "unauthorized:credentials": "Email or password is incorrect.",
      "rate_limited:sign_in": "Too many attempts. Wait a few minutes and try again.",
    },
  }),
);
