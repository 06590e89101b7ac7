import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { HasherReply, HasherRequest } from "./password-hasher-process";

/**
 * Password hashing off the chat's CPU: argon2 runs in a child process whose threads all run
 * at a low priority (nice 10 by default, `FOYER_PASSWORD_HASHER_NICE`), so a burst of
 * sign-ins takes the CPU the chat leaves idle instead of stretching socket round trips.
 * On libuv's pool in this process, 8 sign-ins per second tripled the p99 of a socket round
 * trip on 2 cores (docs/benchmarks.md, B10). Started on first use, restarted if it dies,
 * and never keeps the process alive.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** The hasher process's id while it runs (observability, tests). */
  readonly pid: number | null;
  close(): Promise<void>;
}

const ENTRY = path.join(import.meta.dirname, "password-hasher-process.ts");

export function createPasswordHasher(): PasswordHasher {
  let child: ChildProcess | null = null;
  let ready: Promise<void> | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(v: string | boolean): void; reject(e: Error): void }>();

  function start(): Promise<void> {
    const started = fork(ENTRY, [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child = started;
    started.on("message", (reply: HasherReply | "ready") => {
      if (reply === "ready") return;
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.value);
      else waiter?.reject(new Error("password-hasher: the hasher refused the request"));
    });
    started.once("exit", () => {
      if (child === started) {
        child = null;
        ready = null;
      }
      for (const waiter of pending.values()) {
        waiter.reject(new Error("password-hasher: the hasher process exited; retry"));
      }
      pending.clear();
    });
    // Idle, it must not hold this process open.
    started.unref();
    started.channel?.unref();
    return new Promise((resolve, reject) => {
      started.once("message", () => resolve());
      started.once("error", reject);
      started.once("exit", (code) =>
        reject(new Error(`password-hasher: exited at start (${code})`)),
      );
    });
  }

  async function call(request: Omit<HasherRequest, "id">): Promise<string | boolean> {
    ready ??= start().catch((error: unknown) => {
      ready = null;
      throw error;
    });
    await ready;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child?.channel?.ref();
      child?.send({ ...request, id });
    }).finally(() => {
      if (pending.size === 0) child?.channel?.unref();
    }) as Promise<string | boolean>;
  }

  return {
    hash: async (password) => String(await call({ op: "hash", password })),
    verify: async (hash, password) => (await call({ op: "verify", password, hash })) === true,
    get pid() {
      return child?.pid ?? null;
    },
    async close() {
      const running = child;
      child = null;
      ready = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill();
      });
    },
  };
}
