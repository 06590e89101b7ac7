import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { endGuestSessionRequestSchema, revocationResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/guest-session/end {}: a guest ends its own session (its sockets close on
 * every node before the answer) and the guest cookie is cleared. Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.endGuestSession,
    request: endGuestSessionRequestSchema,
    response: revocationResponseSchema,
    errors: {},
  }),
);
