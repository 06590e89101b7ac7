import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";

/**
 * The bench's server processes: children of the bench process (one process tree), started
 * with tsx like the product, driven over the IPC channel. Load comes from the parent, so a
 * server's event loop is never shared with the clients measuring it. `BENCH_CPU_PROFILE=dir`
 * writes V8 CPU profiles of every server process into `dir/<name>/` when it exits
 * (one per thread: the largest is the main thread).
 */
export interface ServerProcess {
  name: string;
  pid: number;
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Asks the process to close everything and exit; kills it if it has not after 10 s. */
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

const ENTRY = path.join(import.meta.dirname, "..", "servers", "node-process.ts");

export async function startServerProcess(
  name: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const child: ChildProcess = fork(ENTRY, [name], {
    execArgv: [
      "--import",
      "tsx",
      "--expose-gc",
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.join(profileDir, name)}`] : []),
    ],
    env: { ...process.env, NODE_ENV: "production", ...env },
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("message", (message: Reply | "ready") => {
    if (message === "ready") return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${name}: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  child.once("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${code})`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${name} exited before ready (${code})`)));
  });
  return {
    name,
    pid: child.pid ?? -1,
    call<T>(method: string, params?: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, params });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.send({ id: nextId++, method: "exit" });
      await exited;
      clearTimeout(timer);
    },
  };
}
