import { AUTHORITY_ROUTES } from "@/lib/server/common/authority-contract";
import { defineAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { rotateTokenRequestSchema, rotateTokenResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/web/socket-token/rotate {token}: a new token family for the session the cookies
 * name (the token travels in the body, never in a URL). Once it answers, no gateway node
 * accepts an event carried by the old token. Same-origin only.
 */
export const POST = authorityRoute(
  defineAuthRoute({
    path: AUTHORITY_ROUTES.rotateToken,
    request: rotateTokenRequestSchema,
    response: rotateTokenResponseSchema,
    errors: {
      "conflict:rotation": "Another tab rotated the token first; fetch the current one.",
      "unauthorized:session": "This token is not your session's.",
    },
  }),
);
