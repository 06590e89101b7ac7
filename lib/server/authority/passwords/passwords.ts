import argon2 from "argon2";
import { createPasswordHasher, type PasswordHasher } from "./password-hasher";
import { PASSWORD_HASH_OPTIONS } from "./password-options";

/**
 * Password hashing with argon2id (node-argon2: maintained, prebuilt binaries in the
 * package), in a low-priority child process (password-hasher.ts) so that hashing never
 * competes with the chat for the CPU. Parameters: password-options.ts.
 */
export { PASSWORD_HASH_OPTIONS };

let hasher: PasswordHasher | null = null;
const getHasher = () => {
  hasher ??= createPasswordHasher();
  return hasher;
};

/** Stops the hasher process (tests, shutdown); the next call starts a new one. */
export async function closePasswordHasher(): Promise<void> {
  const running = hasher;
  hasher = null;
  await running?.close();
}

export async function hashPassword(password: string): Promise<string> {
  return getHasher().hash(password);
}

let dummyHash: Promise<string> | null = null;

/**
 * True when `password` matches `hash`. With no hash (no such account) it still verifies
 * against a fixed dummy hash, so the answer takes as long either way and the timing does
 * not tell whether an account exists. A malformed hash answers false; only a failed hasher
 * process throws (the caller answers 500, and no failed attempt is counted).
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword("foyer-dummy-password-for-constant-work").catch((error) => {
    dummyHash = null;
    throw error;
  });
  const target = hash ?? (await dummyHash);
  const matches = await getHasher().verify(target, password);
  return hash !== null && matches;
}

/** Whether a stored hash was made with weaker parameters than today's (rehash on sign-in). */
export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
  } catch {
    return true;
  }
}
