import { headers } from "next/headers";
import { ChatApp } from "@/components/chat/chat-app";
import { coldStartScript } from "@/lib/client/identity/cold-start";
import {
  GUEST_SESSION_LOCK,
  GUEST_SESSION_PATH,
  GUEST_SESSION_TIMEOUT_IN_MS,
  LEGACY_TOKEN_STORAGE_KEY,
} from "@/lib/client/identity/guest-session-client";
import { NONCE_HEADER } from "@/lib/server/web/security-headers";

// Identity is per visitor and resolved in the browser; never prerender or cache this page.
export const dynamic = "force-dynamic";

/** Starts the visitor's identity request while the page loads (lib/client/identity/cold-start.ts). */
const COLD_START = coldStartScript({
  path: GUEST_SESSION_PATH,
  lock: GUEST_SESSION_LOCK,
  legacyKey: LEGACY_TOKEN_STORAGE_KEY,
  timeoutInMs: GUEST_SESSION_TIMEOUT_IN_MS,
});

export default async function HomePage() {
  // The request's CSP nonce (middleware.ts): without it the policy refuses this script.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no input */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: COLD_START }} />
      <ChatApp />
    </>
  );
}
