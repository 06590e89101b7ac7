/**
 * The security headers of every page and route (docs/design.md §4), built per request by
 * middleware.ts. A fresh nonce per request lets exactly the scripts this response renders
 * run: Next.js reads it from the `Content-Security-Policy` request header and puts it on its
 * own scripts, and the two inline scripts (the theme boot, the chat page's cold start) read it
 * from {@link NONCE_HEADER}. `'strict-dynamic'` lets those scripts load the chunks they need.
 * Pure functions but {@link createNonce}; tested as a table in security-headers.test.ts.
 */

/** The request header the nonce travels in from middleware to the server components. */
export const NONCE_HEADER = "x-nonce";

/** Two years, subdomains included (the OWASP HTTP headers cheat sheet's value). */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/**
 * Browser features Foyer never uses, denied to the page and to anything it embeds. Only
 * names Chromium recognises: an unknown one is reported on the console of every page.
 */
export const DENIED_FEATURES = [
  "accelerometer",
  "bluetooth",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "serial",
  "usb",
  "xr-spatial-tracking",
] as const;

export const PERMISSIONS_POLICY = DENIED_FEATURES.map((feature) => `${feature}=()`).join(", ");

export interface SecurityHeaderInput {
  /** This request's nonce ({@link createNonce}). */
  nonce: string;
  /** The site is served over https: HSTS is sent and insecure requests are upgraded. */
  https: boolean;
  /** Where the Socket.IO client may connect besides `'self'` (ws/wss origins). */
  socketOrigins: readonly string[];
  /** Next's development server evaluates code (React Refresh): `'unsafe-eval'` there only. */
  development?: boolean;
}

/** 128 random bits, base64: a nonce no response repeats. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}

/** Whether the public origins (`FOYER_PUBLIC_ORIGIN`) say this site is served over https. */
export function isHttpsSite(publicOrigins: readonly string[]): boolean {
  return publicOrigins.length > 0 && publicOrigins.every((o) => o.startsWith("https:"));
}

const HOST_PATTERN = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The ws/wss origins of the socket: those of the public origins when configured, else the one
 * the request's Host names (ignored unless it is a plain host, so that no client-sent text can
 * reach the policy).
 */
export function toSocketOrigins(
  publicOrigins: readonly string[],
  host: string | null | undefined,
  https: boolean,
): string[] {
  if (publicOrigins.length > 0) return publicOrigins.map((o) => o.replace(/^http/, "ws"));
  const name = host?.trim().toLowerCase() ?? "";
  return HOST_PATTERN.test(name) ? [`${https ? "wss" : "ws"}://${name}`] : [];
}

/** The Content-Security-Policy value for one response. */
export function toContentSecurityPolicy(input: SecurityHeaderInput): string {
  const script = ["'self'", `'nonce-${input.nonce}'`, "'strict-dynamic'"];
  if (input.development) script.push("'unsafe-eval'");
  const directives = [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    // Radix and sonner position their popovers and toasts with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...input.socketOrigins].join(" ")}`,
    // The chat page's cold start runs in a worker made from a blob: URL (cold-start.ts).
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ];
  if (input.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Every security header of one response, by name. */
export function toSecurityHeaders(input: SecurityHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": toContentSecurityPolicy(input),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
  if (input.https) headers["Strict-Transport-Security"] = HSTS_VALUE;
  return headers;
}
