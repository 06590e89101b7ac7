/**
 * A bench server process (see bench/lib/server-process.ts): it starts the arms it is asked
 * for (Foyer nodes, with or without Next.js; bare gateways; baselines) and answers the
 * bench's questions about them (heap, the per-event checks it observed, log times).
 */
import { createBuiltInAgents } from "../../lib/server/agents/built-in";
import { createOpenAICompatibleAgent } from "../../lib/server/agents/openai-compatible";
import { createAgentRegistry } from "../../lib/server/agents/registry";
import type { AgentRegistry } from "../../lib/server/agents/types";
import {
  NO_AUTHORITY_LIMITS,
  TEST_SECRETS,
} from "../../lib/server/authority/testing/authority-harness";
import { migrate } from "../../lib/server/db/migrate";
import { openDatabase } from "../../lib/server/db/open";
import type { Db } from "../../lib/server/db/types";
import { startFoyerNode } from "../../lib/server/node/start-foyer-node";
import { DEFAULT_SOCKET_BUDGETS } from "../../lib/server/realtime/budgets";
import { DEFAULT_DAILY_CAPS } from "../../lib/server/realtime/daily-caps";
import { MODEL_AGENT_ID } from "../lib/answer-script";
import { monoMs } from "../lib/clock";
import { runClosedLoop } from "../lib/closed-loop";
import { LeanSocket } from "../lib/lean-socket";
import { toLoopMetrics } from "../lib/metrics";
import {
  BENCH_DAILY_CAPS,
  BENCH_SOCKET_BUDGETS,
  type RunningArm,
  startBareSocketIo,
  startGatewayArm,
  startWsEcho,
} from "./arms";
import { createGuestsDirectly } from "./guests";
import { type BenchUpstream, startBenchUpstream } from "./upstream";

// Route handlers and middleware read the secrets from the environment, as under main.ts.
Object.assign(process.env, TEST_SECRETS);

const KEPT_LOG_EVENTS = new Set(["session.revoked"]);

let db: Db | null = null;
const running: RunningArm[] = [];
let upstream: BenchUpstream | null = null;
const checks: { sessionId: string; accepted: boolean; at: number }[] = [];
const logs: { event: string; sessionId: unknown; at: number }[] = [];
let reported = 0;

function log(event: string, fields: Record<string, unknown>): void {
  if (KEPT_LOG_EVENTS.has(event)) logs.push({ event, sessionId: fields.sessionId, at: monoMs() });
  if ((event.includes("error") || event.includes("failed")) && reported++ < 20) {
    console.error(`[${process.argv[2]}] ${event} ${JSON.stringify(fields)}`);
  }
}

function requireDb(): Db {
  if (!db) throw new Error("openStore first");
  return db;
}

/**
 * The one agent of a node whose answers come from a model at `baseURL` (the bench's fake
 * upstream), streamed through the openai-compatible agent as a configured model would be.
 * No allowances (`limits`): only the node's daily caps, which the bench lifts.
 */
function toModelAgents(baseURL: string): AgentRegistry {
  return createAgentRegistry([
    createOpenAICompatibleAgent(
      {
        id: MODEL_AGENT_ID,
        name: "Model",
        provider: { type: "openai-compatible", baseURL, model: "fake-model" },
      },
      {},
    ),
  ]);
}

async function startFoyer(params: {
  redisUrl?: string;
  nextDir?: string;
  observe?: boolean;
  /** B11: the limits a real node has, not the bench's lifted ones. */
  productionLimits?: boolean;
  /** B12, B13: the node's one agent is a model at this OpenAI-compatible base URL. */
  modelBaseURL?: string;
  /** Answers written for one user at once (B13: lifted). */
  maxRunningAnswers?: number;
}) {
  const node = await startFoyerNode({
    db: requireDb(),
    secrets: TEST_SECRETS,
    port: 0,
    host: "127.0.0.1",
    redisUrl: params.redisUrl,
    publicOrigins: [],
    agents: params.modelBaseURL ? toModelAgents(params.modelBaseURL) : createBuiltInAgents(),
    maxRunningAnswers: params.maxRunningAnswers,
    authorityLimits: NO_AUTHORITY_LIMITS,
    observeEvent: params.observe
      ? (e) => checks.push({ sessionId: e.sessionId, accepted: e.accepted, at: monoMs() })
      : undefined,
    budgets: params.productionLimits ? DEFAULT_SOCKET_BUDGETS : BENCH_SOCKET_BUDGETS,
    dailyCaps: params.productionLimits ? DEFAULT_DAILY_CAPS : BENCH_DAILY_CAPS,
    log,
    createRequestHandler: params.nextDir
      ? async (authorityUrl) => {
          process.env.FOYER_AUTHORITY_URL = authorityUrl;
          const { default: next } = await import("next");
          const app = next({ dev: false, dir: params.nextDir, hostname: "127.0.0.1", port: 0 });
          await app.prepare();
          const handle = app.getRequestHandler();
          return (req, res) => void handle(req, res);
        }
      : undefined,
  });
  running.push(node);
  return { url: node.url, authorityUrl: node.authorityUrl };
}

async function keep(arm: Promise<RunningArm>) {
  const started = await arm;
  running.push(started);
  return { url: started.url };
}

const commands: Record<string, (params: never) => Promise<unknown>> = {
  /** PostgreSQL at `databaseUrl`, or PGlite (migrated here) in `dataDir` when no URL is given. */
  async openStore(params: { databaseUrl?: string; dataDir?: string }) {
    db = await openDatabase({
      databaseUrl: params.databaseUrl,
      dataDir: params.dataDir ?? "/nonexistent",
    });
    if (!params.databaseUrl) await migrate(db);
    return null;
  },
  startFoyer,
  startGateway: (params: { withoutCheck: boolean; receiving: boolean }) =>
    keep(startGatewayArm(requireDb(), params)),
  startBareSocketIo: () => keep(startBareSocketIo()),
  startWsEcho: () => keep(startWsEcho()),
  createGuests: (params: { count: number }) => createGuestsDirectly(requireDb(), params.count),
  /** The fake model upstream of B12 and B13 (bench/servers/upstream.ts) in this process. */
  async startUpstream() {
    upstream = await startBenchUpstream();
    running.push(upstream);
    return { url: upstream.url };
  },
  /** What the upstream wrote for the answers that ended since the last call. */
  async takeUpstreamRecords() {
    if (!upstream) throw new Error("startUpstream first");
    return upstream.take();
  },
  /**
   * B2's floor: closed-loop INSERTs of a chat-sized row, one statement each (what any
   * durable per-message write costs at least), measured from this process.
   */
  async insertLoop(params: { workers: number; ms: number }) {
    const store = requireDb();
    await store.query(
      "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, channel text, body text)",
    );
    const body = "x".repeat(120);
    const result = await runClosedLoop(params.workers, params.ms, (w) =>
      store.query("INSERT INTO bench_floor (channel, body) VALUES ($1, $2)", [`c${w}`, body]),
    );
    return toLoopMetrics(result);
  },
  /**
   * B10's load, from a process of its own so that it never delays the clients measuring:
   * POSTs `body` to `url` at a fixed rate for `ms` (open loop); answers how many completed.
   */
  async postAtRate(params: { url: string; body: string; perSecond: number; ms: number }) {
    let done = 0;
    const pending: Promise<unknown>[] = [];
    const post = () =>
      fetch(params.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: params.body,
      }).then(async (res) => {
        await res.arrayBuffer();
        if (res.ok) done += 1;
      });
    const timer = setInterval(
      () => pending.push(post().catch(() => undefined)),
      1000 / params.perSecond,
    );
    await new Promise((resolve) => setTimeout(resolve, params.ms));
    clearInterval(timer);
    await Promise.allSettled(pending);
    return done;
  },
  /**
   * B11's flood, from a process of its own: one guest's `sockets` sockets send `message:send`
   * as fast as their acks come back for `ms`; answers how many were accepted and refused.
   */
  async floodSends(params: {
    url: string;
    token: string;
    channel: string;
    sockets: number;
    ms: number;
  }) {
    const connect = () => LeanSocket.connect(params.url, { auth: { token: params.token } });
    const sockets = await Promise.all(Array.from({ length: params.sockets }, connect));
    let accepted = 0;
    let refused = 0;
    let reconnects = 0;
    const result = await runClosedLoop(params.sockets, params.ms, async (w, i) => {
      try {
        const ack = (await sockets[w]?.emitWithAck("message:send", {
          channel: params.channel,
          clientMessageId: `flood_${w}_${i}_${Date.now()}`,
          body: "flood",
        })) as { status?: string } | undefined;
        if (ack?.status === "OK") accepted += 1;
        else refused += 1;
      } catch {
        // Disconnected for flooding: a script comes straight back, as an attacker would.
        reconnects += 1;
        sockets[w] = await connect().catch(() => sockets[w] as LeanSocket);
      }
    });
    for (const socket of sockets) socket.close();
    return { accepted, refused, reconnects, seconds: result.seconds };
  },
  async heapUsed() {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  },
  async checksOf(params: { sessionId: string }) {
    return checks.filter((c) => c.sessionId === params.sessionId);
  },
  async loggedAt(params: { event: string; sessionId: string }) {
    return (
      logs.find((l) => l.event === params.event && l.sessionId === params.sessionId)?.at ?? null
    );
  },
  async exit() {
    for (const arm of running.reverse()) await arm.close().catch(() => undefined);
    await db?.close();
    // A normal exit, so a --cpu-prof profile is written.
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on("message", async (message: { id: number; method: string; params: never }) => {
  const command = commands[message.method];
  try {
    if (!command) throw new Error(`no command ${message.method}`);
    process.send?.({ id: message.id, result: await command(message.params) });
  } catch (error) {
    process.send?.({ id: message.id, error: error instanceof Error ? error.stack : String(error) });
  }
});
// The bench went away (crashed or killed): never outlive it.
process.on("disconnect", () => process.exit(0));
process.send?.("ready");
