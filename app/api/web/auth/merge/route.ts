import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { mergeRequestSchema, mergeResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/auth/merge {}: the client's retry of a merge that failed during sign-in.
 * Idempotent: the guest (named only by its cookie) is merged into the member at most once.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.merge,
    request: mergeRequestSchema,
    response: mergeResponseSchema,
    errors: {
      "unauthorized:session": "Sign in first.",
      "unavailable:merge": "Your guest conversations could not be moved yet. They are kept safe.",
    },
  }),
);
