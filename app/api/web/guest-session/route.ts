import { proxyGuestSession } from "@/lib/server/web/proxy/guest-session-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Look up (or create) the guest session the `__Host-foyer_guest_session` cookie names,
 * through the session authority. Body: see ./schema.ts. Same-origin only.
 */
export async function POST(request: Request): Promise<Response> {
  return proxyGuestSession(request);
}
