import { createHmac, timingSafeEqual } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { z } from "zod";
import type { IdentityKind } from "../../shared/contracts/identity";
import { ID_PATTERN } from "../../shared/ids";

/** Socket tokens live minutes, not hours: a stolen one is worth little. */
export const SOCKET_TOKEN_TTL_IN_SECONDS = 10 * 60;
/** Who mints socket tokens (the authority, lib/server/authority/create-socket-token.ts). */
export const TOKEN_ISSUER = "foyer-authority";
/** Who accepts them (the gateway). */
export const TOKEN_AUDIENCE = "foyer-gateway";

export interface SocketTokenClaims {
  userId: string;
  sessionId: string;
  kind: IdentityKind;
  /** The session's auth generation when the token was minted. */
  generation: number;
}

export interface MintedSocketToken {
  token: string;
  expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string().regex(ID_PATTERN),
  sid: z.string().regex(ID_PATTERN),
  knd: z.enum(["guest", "member"]),
  gen: z.number().int().positive(),
  exp: z.number().int(),
});

/** The HS256 key of a signing secret. */
export function toSigningKey(signingKey: string): Uint8Array {
  return new TextEncoder().encode(signingKey);
}

/** An HS256 signature in base64url: 32 bytes, 43 characters, no padding. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function hasAudience(aud: unknown): boolean {
  return aud === TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(TOKEN_AUDIENCE));
}

/**
 * Verifies signature, issuer, audience and expiry; throws on any failure. `graceInSeconds`
 * accepts a token that expired at most that long ago (rotation presents the old token).
 *
 * Synchronous HMAC (node:crypto) rather than jose's `jwtVerify`: on Node that goes through
 * WebCrypto, whose key import and verify each hop to the thread pool, which doubled the
 * latency of an authenticated socket connect (docs/benchmarks.md, B7). jose still parses
 * the header and payload; only the HS256 compact form we mint is accepted (no `crit`, no
 * unencoded payload), and the signature is compared in constant time, in its one canonical spelling.
 */
export async function verifySocketToken(
  token: string,
  signingKey: string,
  graceInSeconds = 0,
  now: Date = new Date(),
): Promise<SocketTokenClaims & { expiresAt: Date }> {
  if (typeof token !== "string" || token.length === 0 || token.length > 4096) {
    throw new Error("tokens: malformed socket token");
  }
  const [header, payload, signature, ...rest] = token.split(".");
  if (!header || !payload || !signature || rest.length > 0 || !SIGNATURE_PATTERN.test(signature)) {
    throw new Error("tokens: malformed socket token");
  }
  const protectedHeader = decodeProtectedHeader(token);
  if (protectedHeader.alg !== "HS256" || "crit" in protectedHeader || "b64" in protectedHeader) {
    throw new Error("tokens: unexpected socket token header");
  }
  // Compared as text, not decoded: base64url decoding ignores the last character's two
  // spare bits, so a decoded compare would accept four spellings of one signature.
  const expected = createHmac("sha256", signingKey)
    .update(`${header}.${payload}`)
    .digest("base64url");
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    throw new Error("tokens: bad socket token signature");
  }
  const claimsIn = decodeJwt(token);
  const nowInSeconds = Math.floor(now.getTime() / 1000);
  if (claimsIn.iss !== TOKEN_ISSUER || !hasAudience(claimsIn.aud)) {
    throw new Error("tokens: socket token for another issuer or audience");
  }
  if (typeof claimsIn.exp !== "number" || claimsIn.exp <= nowInSeconds - graceInSeconds) {
    throw new Error("tokens: socket token expired");
  }
  if (typeof claimsIn.nbf === "number" && claimsIn.nbf > nowInSeconds + graceInSeconds) {
    throw new Error("tokens: socket token not yet valid");
  }
  const claims = claimsSchema.parse(claimsIn);
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    kind: claims.knd,
    generation: claims.gen,
    expiresAt: new Date(claims.exp * 1000),
  };
}
