/**
 * A Foyer server a spec starts itself, in a child process, instead of a `webServer` entry:
 * one it can kill (SIGKILL, as a crash) and start again on the same port and data
 * directory. It runs `e2e/support/serve.ts` with the run's agents file, like the main server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { toFoyerServerEnv } from "../fixtures/env";
import { findFreePorts } from "../fixtures/free-ports";

/** How long a start may take: Next.js prepares its production build in the process. */
const START_TIMEOUT_IN_MS = 90_000;
const HEALTH_POLL_IN_MS = 200;
/** The last lines of output kept, to say why a start failed. */
const OUTPUT_LINES_KEPT = 40;

/** A Foyer server in a child process; see the file's comment. */
export class FoyerProcess {
  /** `http://localhost:PORT`: a browser keeps the `__Host-` cookies over http only there. */
  readonly baseURL: string;
  private child: ChildProcess | null = null;
  private output: string[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {
    this.baseURL = `http://localhost:${port}`;
  }

  /**
   * A server of its own: free ports for it and its authority, and `.data/e2e-<name>`
   * (emptied at the first start). Call {@link start}.
   */
  static create(name: string): FoyerProcess {
    const [port, authorityPort] = findFreePorts(2) as [number, number];
    const env = toFoyerServerEnv({ port, authorityPort, dataDir: `.data/e2e-${name}` });
    return new FoyerProcess(env, port);
  }

  /** Starts it and waits until it answers its health check; `keepData` for a restart. */
  async start({ keepData = false }: { keepData?: boolean } = {}): Promise<void> {
    if (this.child) throw new Error("foyer-process: already running");
    this.output = [];
    const child = spawn(process.execPath, ["--import", "tsx", "e2e/support/serve.ts"], {
      env: { ...process.env, ...this.env, E2E_KEEP_DATA: keepData ? "1" : "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    // Should the test process end first (a worker torn down mid-test), take the server along.
    const orphaned = () => child.kill("SIGKILL");
    process.once("exit", orphaned);
    child.once("exit", () => process.off("exit", orphaned));
    const keep = (data: Buffer) => {
      this.output.push(...data.toString().split("\n").filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) =>
        reject(new Error(`foyer-process: exited (${signal ?? code}) while starting`)),
      ),
    );
    exited.catch(() => {});
    try {
      await Promise.race([this.waitUntilHealthy(), exited]);
    } catch (error) {
      await this.kill();
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`${why}; its last output:\n${this.output.join("\n")}`);
    }
  }

  private async waitUntilHealthy(): Promise<void> {
    const until = Date.now() + START_TIMEOUT_IN_MS;
    const url = `http://127.0.0.1:${this.port}/api/health`;
    while (Date.now() < until) {
      const healthy = await fetch(url).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_IN_MS));
    }
    throw new Error(`foyer-process: not healthy within ${START_TIMEOUT_IN_MS} ms`);
  }

  /** Kills it at once (SIGKILL: no drain, no goodbye) and waits for it to be gone. */
  async kill(): Promise<void> {
    await this.end("SIGKILL");
  }

  /** Stops it politely (SIGINT: at once, without the drain) and waits; a no-op if not running. */
  async stop(): Promise<void> {
    await this.end("SIGINT");
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(late);
  }
}
