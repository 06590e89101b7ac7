import argon2 from "argon2";

/**
 * argon2id parameters: OWASP's Password Storage Cheat Sheet minimum for argon2id is
 * m=19 MiB, t=2, p=1; we use it.
 */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
