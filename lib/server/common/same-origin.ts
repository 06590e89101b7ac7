/**
 * Same-origin checks for state-changing HTTP requests and socket handshakes.
 * A request passes when its Origin (or, lacking one, its Referer) names this site: one of
 * the configured public origins (`FOYER_PUBLIC_ORIGIN`, comma-separated) or, when none is
 * configured (local mode), the origin its own Host header names, and only when that Host is
 * a loopback name: a page on another site whose name was rebound to this machine's address
 * sends its own name as both Host and Origin (DNS rebinding). Neither header → fail (ASVS 3.5).
 */
export interface OriginInput {
  origin: string | null | undefined;
  referer?: string | null | undefined;
  host: string | null | undefined;
  /** `Sec-Fetch-Site`, when the browser sent it. */
  secFetchSite?: string | null | undefined;
}

export function parsePublicOrigins(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => new URL(v).origin);
}

/** The host names local mode answers to: this machine's loopback names, nothing else. */
export const LOOPBACK_HOST_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Whether a Host header (a loopback name, optionally a port, nothing else) names this machine. */
export function isLoopbackHost(host: string | null | undefined): boolean {
  const match = /^(.+?)(?::\d{1,5})?$/.exec(host?.toLowerCase() ?? "");
  return match?.[1] !== undefined && LOOPBACK_HOST_NAMES.includes(match[1]);
}

function toOrigin(value: string | null | undefined): string | null {
  if (!value || value === "null") return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export function isSameOrigin(input: OriginInput, publicOrigins: readonly string[] = []): boolean {
  if (input.secFetchSite && input.secFetchSite !== "same-origin" && input.secFetchSite !== "none") {
    return false;
  }
  // A present Origin decides alone: "null" (opaque or redirected-from-elsewhere contexts)
  // or garbage must not fall back to a Referer the page may not control.
  const claimed = input.origin ? toOrigin(input.origin) : toOrigin(input.referer);
  if (!claimed) return false;
  if (publicOrigins.length > 0) return publicOrigins.includes(claimed);
  if (!input.host || !isLoopbackHost(input.host)) return false;
  const url = new URL(claimed);
  return (
    (url.protocol === "http:" || url.protocol === "https:") && url.host === input.host.toLowerCase()
  );
}

/** {@link isSameOrigin} for a web `Request`, against `FOYER_PUBLIC_ORIGIN` by default. */
export function isSameOriginRequest(
  request: Request,
  publicOrigins: readonly string[] = parsePublicOrigins(process.env.FOYER_PUBLIC_ORIGIN),
): boolean {
  return isSameOrigin(
    {
      origin: request.headers.get("origin"),
      referer: request.headers.get("referer"),
      host: request.headers.get("host"),
      secFetchSite: request.headers.get("sec-fetch-site"),
    },
    publicOrigins,
  );
}
