import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { NONCE_HEADER } from "@/lib/server/web/security-headers";
import { THEME_STORAGE_KEY } from "@/lib/shared/preferences";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Foyer",
  description: "Talk to agents straight away, as a guest, in as many tabs as you like.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#ffffff",
};

/**
 * Applies the last theme this browser showed before the first paint (no light flash for a
 * dark-theme visitor); the server-kept preference then confirms or corrects it.
 */
const THEME_BOOT = `try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");if(t==="light"||t==="dark"||t==="system")document.documentElement.dataset.theme=t}catch(e){}`;

/**
 * Zod compiles object schemas with `new Function` after probing for it when a schema is built,
 * and the CSP (no `'unsafe-eval'`, lib/server/web/security-headers.ts) refuses the probe, which
 * the browser reports as a violation. Zod's global configuration (`z.config`, kept on
 * `globalThis.__zod_globalConfig`) is set to jitless here, before any chunk builds a schema;
 * parsing gives the same results. Browser only: the server keeps its compiled parsers.
 */
const ZOD_JITLESS_BOOT = `(globalThis.__zod_globalConfig||(globalThis.__zod_globalConfig={})).jitless=true`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The request's CSP nonce (middleware.ts): without it the policy refuses this script.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no input */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT }} />
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no input */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: ZOD_JITLESS_BOOT }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
