import { createHmac, timingSafeEqual } from "node:crypto";
import { type EnvVars, SECRET_MIN_LENGTH } from "./env";

/**
 * The proof that a client address came from the web tier (docs/design.md S2). The node's
 * HTTP server computes the client address (after the trusted-proxy list) and the web side
 * forwards it to the authority with `CLIENT_ADDRESS_PROOF_HEADER`: an HMAC-SHA256 of the
 * address under a key derived from `FOYER_TOKEN_SIGNING_KEY`. The authority limits by that
 * address only when the proof verifies; a bare header, from any local process, is ignored.
 *
 * The key is its own derivation (not the internal key), so a proof opens nothing else.
 * Neither the key nor a proof is ever logged.
 */

const LABEL = "foyer-client-address-v1";

let cached: { signingKey: string; key: Buffer } | null = null;

/** The proof key for a token signing key (derived once per value). */
export function toClientAddressKey(signingKey: string): Buffer {
  if (cached?.signingKey !== signingKey) {
    cached = { signingKey, key: createHmac("sha256", signingKey).update(LABEL).digest() };
  }
  return cached.key;
}

/**
 * The proof key from `FOYER_TOKEN_SIGNING_KEY`, or null when it is missing or too short
 * (then no proof is sent and the authority limits by the TCP peer, the web process itself).
 */
export function getClientAddressKey(env: EnvVars = process.env): Buffer | null {
  const signingKey = env.FOYER_TOKEN_SIGNING_KEY;
  return signingKey && signingKey.length >= SECRET_MIN_LENGTH
    ? toClientAddressKey(signingKey)
    : null;
}

/** The proof for `address`: base64url HMAC-SHA256 under `key`. */
export function toClientAddressProof(address: string, key: Buffer): string {
  return createHmac("sha256", key).update(address).digest("base64url");
}

/** True when `proof` is the proof for exactly `address` under `key` (constant time). */
export function isClientAddressProofValid(
  address: string,
  proof: string | undefined,
  key: Buffer,
): boolean {
  if (!proof) return false;
  const expected = Buffer.from(toClientAddressProof(address, key));
  const actual = Buffer.from(proof);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
