import { callAuthority } from "@/lib/server/web/authority-client/authority-client";
import { type AuthRouteSpec, proxyAuthRoute } from "@/lib/server/web/proxy/auth-route-reply";
import { mergeRequestSchema, mergeResponseSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SPEC: AuthRouteSpec = {
  path: "/v1/auth/merge",
  request: mergeRequestSchema,
  response: mergeResponseSchema,
  errors: {
    "unauthorized:session": "Sign in first.",
    "unavailable:merge": "Your guest conversations could not be moved yet. They are kept safe.",
  },
};

/**
 * POST /api/web/auth/merge {}: the client's retry of a merge that failed during sign-in.
 * Idempotent: the guest (named only by its cookie) is merged into the member at most once.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyAuthRoute(request, SPEC, { call: callAuthority });
}
