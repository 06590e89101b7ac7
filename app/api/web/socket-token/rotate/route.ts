import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { rotateTokenRequestSchema, rotateTokenResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/tokens/rotate",
  request: rotateTokenRequestSchema,
  response: rotateTokenResponseSchema,
  errors: {
    "conflict:rotation": "Another tab rotated the token first; fetch the current one.",
    "unauthorized:session": "This token is not your session's.",
  },
};

/**
 * POST /api/web/socket-token/rotate {token}: a new token family for the session the cookies
 * name (the token travels in the body, never in a URL). Once it answers, no gateway node
 * accepts an event carried by the old token. Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
