import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Secrets } from "../common/env";

/**
 * The key that internal callers (operations tooling, tests, benchmarks) present to the
 * authority's internal routes in `x-foyer-internal-key`. Derived from the token signing key,
 * so whoever can mint socket tokens can also revoke sessions, and nobody else.
 */
export const INTERNAL_KEY_HEADER = "x-foyer-internal-key";

export function toInternalKey(secrets: Pick<Secrets, "FOYER_TOKEN_SIGNING_KEY">): string {
  return createHmac("sha256", secrets.FOYER_TOKEN_SIGNING_KEY)
    .update("foyer-authority-internal-v1")
    .digest("base64url");
}

/** True when the request carries the internal key. */
export function isInternalCaller(req: IncomingMessage, secrets: Secrets): boolean {
  const sent = req.headers[INTERNAL_KEY_HEADER];
  if (typeof sent !== "string") return false;
  const expected = Buffer.from(toInternalKey(secrets));
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
