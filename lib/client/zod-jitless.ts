import { z } from "zod";

/**
 * Zod compiles object schemas with `new Function` after probing for it, and the page's
 * Content-Security-Policy (no `'unsafe-eval'`, lib/server/web/security-headers.ts) refuses
 * the probe, which browsers report as a violation. Jitless parsing gives the same results
 * without it. Imported for its effect, first, by app/providers.tsx.
 */
z.config({ jitless: true });
