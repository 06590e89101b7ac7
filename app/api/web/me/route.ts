import {
  IdentityError,
  requireIdentity,
  toIdentityErrorResponse,
} from "@/lib/server/web/identity/dal";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/web/me → `{ userId, kind }` of the identity the request's cookies name, through
 * the DAL (the middleware's signed header, else the authority); 401 without a session, 503
 * when the authority cannot say. Never creates a guest. Read-only, so no Origin check.
 */
export async function GET(): Promise<Response> {
  try {
    const { userId, kind } = await requireIdentity();
    return Response.json({ userId, kind }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof IdentityError) return toIdentityErrorResponse(error);
    throw error;
  }
}
