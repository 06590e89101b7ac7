import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { revocationResponseSchema, revokeSessionRequestSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/sessions/revoke {sessionId}: ends one of the signed-in member's sessions on
 * every gateway node before answering `revoked` (or `pending`). Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.revokeOwnSession,
    request: revokeSessionRequestSchema,
    response: revocationResponseSchema,
    errors: {
      "unauthorized:session": "Sign in first.",
      "not_found:session": "That session has already ended.",
    },
  }),
);
