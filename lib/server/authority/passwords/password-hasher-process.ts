/**
 * The password hasher's process (see password-hasher.ts): argon2 on this process's own
 * libuv thread pool, every thread of it at a low CPU priority, answering over IPC.
 */
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import argon2 from "argon2";
import { PASSWORD_HASH_OPTIONS } from "./password-options";

export interface HasherRequest {
  id: number;
  op: "hash" | "verify";
  password: string;
  hash?: string;
}

export type HasherReply =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false };

/** Renices every thread of this process (nice is per thread on Linux; elsewhere, the process). */
function lowerPriority(nice: number): void {
  let threads: string[] = [];
  try {
    threads = readdirSync("/proc/self/task");
  } catch {
    // No /proc: the process's priority is all there is.
  }
  if (threads.length === 0) {
    setPriority(nice);
    return;
  }
  for (const tid of threads) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // A thread that just ended.
    }
  }
}

const nice = Number(process.env.FOYER_PASSWORD_HASHER_NICE ?? 10);
// Start the thread pool first (one throwaway hash), so its threads exist to be reniced.
await argon2.hash("foyer-warm-up", PASSWORD_HASH_OPTIONS);
lowerPriority(nice);

process.on("message", async (request: HasherRequest) => {
  let reply: HasherReply;
  try {
    const value =
      request.op === "hash"
        ? await argon2.hash(request.password, PASSWORD_HASH_OPTIONS)
        : await argon2.verify(request.hash ?? "", request.password).catch(() => false);
    reply = { id: request.id, ok: true, value };
  } catch {
    // Never the password or the hash in a message: a malformed hash just does not verify.
    reply = { id: request.id, ok: false };
  }
  process.send?.(reply);
});
process.on("disconnect", () => process.exit(0));
process.send?.("ready");
