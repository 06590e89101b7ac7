import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/**
 * A real Foyer node in a child process (node-process-entry.ts), so a test can kill it the
 * way a machine dies (`SIGKILL`: no cleanup, no last write) or stop it the way a deploy does
 * (`SIGTERM`: a draining shutdown). The caller kills it in `afterEach` or `finally`, always;
 * a child whose parent went away stops by itself (its stdin ends).
 */
export interface NodeProcessOptions {
  /** A PostgreSQL schema URL (createPostgresStore().url); or `dataDir` for PGlite. */
  databaseUrl?: string;
  /** A PGlite directory (one process at a time). */
  dataDir?: string;
  redisUrl?: string;
  /** 0 (default): a free port; a restart on the same port passes the old one. */
  port?: number;
  /** The paced agent's pacing (agents/testing/paced-agent.ts). @default 100 tokens, 50 ms apart */
  paced?: { count: number; firstMs: number; gapMs: number };
  /** How long a SIGTERM lets running answers go on. @default 1000 */
  shutdownGraceInMs?: number;
  /** @default 30_000 */
  startTimeoutInMs?: number;
}

export interface NodeProcessLogLine {
  event: string;
  fields: Record<string, unknown>;
  /** `performance.now()` in this process when the line arrived. */
  at: number;
}

export interface NodeProcess {
  url: string;
  authorityUrl: string;
  /** The node's gateway id (generations.node_id of the answers it writes). */
  nodeId: string;
  port: number;
  pid: number;
  /** Its log lines so far. */
  logs: NodeProcessLogLine[];
  /** Sends `signal` (default SIGKILL); resolves as `exited` does. Harmless once it exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code (null: ended by a signal). */
  exited: Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");
const ENTRY = path.join(ROOT, "lib/server/testing/node-process-entry.ts");
const STDERR_KEPT = 20_000;

/** Children still running, killed if this process exits first. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Starts a node process; resolves once it listens, or fails (within the timeout) with its stderr. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  if (!options.databaseUrl === !options.dataDir) {
    throw new Error("node-process: pass exactly one of databaseUrl and dataDir");
  }
  installExitHook();
  const paced = options.paced ?? { count: 100, firstMs: 50, gapMs: 50 };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "FOYER_DATA_DIR", "REDIS_URL", "PORT"]) delete env[name];
  Object.assign(env, {
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.dataDir ? { FOYER_DATA_DIR: options.dataDir } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    PORT: String(options.port ?? 0),
    FOYER_PACED_COUNT: String(paced.count),
    FOYER_PACED_FIRST_MS: String(paced.firstMs),
    FOYER_PACED_GAP_MS: String(paced.gapMs),
    FOYER_SHUTDOWN_GRACE_MS: String(options.shutdownGraceInMs ?? 1_000),
  });
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    // "close": after it exited and its output was read to the end (stderr is complete).
    child.once("close", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  let stderr = "";
  const logs: NodeProcessLogLine[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderr = `${stderr}${line}\n`.slice(-STDERR_KEPT);
    try {
      const { event, ...fields } = JSON.parse(line) as Record<string, unknown>;
      if (typeof event === "string") logs.push({ event, fields, at: performance.now() });
    } catch {
      // Not a log line (a stack trace, a warning): kept in `stderr` only.
    }
  });
  const kill = (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const timeoutInMs = options.startTimeoutInMs ?? 30_000;
  try {
    const ready = await new Promise<{ url: string; authorityUrl: string; nodeId: string }>(
      (resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`node-process: not ready in ${timeoutInMs} ms`)),
          timeoutInMs,
        );
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(`node-process: exited (${code ?? child.signalCode}) before it was ready`),
          );
        });
        createInterface({ input: child.stdout }).once("line", (line) => {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(line));
          } catch {
            reject(new Error(`node-process: unexpected first line ${JSON.stringify(line)}`));
          }
        });
      },
    );
    return {
      ...ready,
      port: Number(new URL(ready.url).port),
      pid: child.pid ?? -1,
      logs,
      kill,
      exited,
    };
  } catch (error) {
    await kill("SIGKILL");
    throw new Error(`${(error as Error).message}; its stderr:\n${stderr}`);
  }
}
