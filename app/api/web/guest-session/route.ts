import { authorityRoute } from "@/lib/server/web/proxy/authority-route";
import { GUEST_SESSION_ROUTE } from "@/lib/server/web/proxy/guest-session-reply";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Look up (or create) the guest session the `__Host-foyer_guest_session` cookie names,
 * through the session authority. Body: see ./schema.ts. Same-origin only.
 */
export const POST = authorityRoute(GUEST_SESSION_ROUTE);
