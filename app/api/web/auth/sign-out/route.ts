import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { signOutRequestSchema, signOutResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/auth/sign-out {everywhere?}: ends this member session (or all of them) on
 * every gateway node before answering `signed_out` (or `pending` when a node did not
 * confirm in time), and clears the cookie. Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.signOut,
    request: signOutRequestSchema,
    response: signOutResponseSchema,
    errors: {
      "unauthorized:session":
        "This browser's session has already ended. Sign in again to end your other sessions.",
    },
  }),
);
