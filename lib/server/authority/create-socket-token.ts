import { SignJWT } from "jose";
import {
  type MintedSocketToken,
  SOCKET_TOKEN_TTL_IN_SECONDS,
  type SocketTokenClaims,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  toSigningKey,
} from "../common/socket-tokens";

/**
 * Minting is the authority's alone (docs/design.md, S12): the web side and the gateway can
 * verify a socket token (lib/server/common/socket-tokens.ts) but never make one.
 */
/** Mints an HS256 socket token naming the user, the session and its auth generation. */
export async function createSocketToken(
  claims: SocketTokenClaims,
  signingKey: string,
  now: Date = new Date(),
): Promise<MintedSocketToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const exp = issuedAt + SOCKET_TOKEN_TTL_IN_SECONDS;
  const token = await new SignJWT({
    sid: claims.sessionId,
    knd: claims.kind,
    gen: claims.generation,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(toSigningKey(signingKey));
  return { token, expiresAt: new Date(exp * 1000) };
}
