/**
 * Reads a socket token's claims without verifying them: the server verifies; the client
 * only uses them to check that a token it relies on is the current identity's (`sub`,
 * docs/design.md, client invariant 4) and which of two tokens is newer (`gen`, `exp`).
 */
export interface TokenClaims {
  sub: string | null;
  gen: number | null;
  /** Issued-at and expiry, in the server's epoch seconds. */
  iat: number | null;
  exp: number | null;
}

const NONE: TokenClaims = { sub: null, gen: null, iat: null, exp: null };

export function readTokenClaims(token: string): TokenClaims {
  const payload = token.split(".")[1];
  if (!payload) return NONE;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const claims = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="))) as Record<
      string,
      unknown
    >;
    const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
    return {
      sub: typeof claims.sub === "string" ? claims.sub : null,
      gen: num(claims.gen),
      iat: num(claims.iat),
      exp: num(claims.exp),
    };
  } catch {
    return NONE;
  }
}
