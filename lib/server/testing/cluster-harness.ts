import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createNetServer, type Server as NetServer, Socket } from "node:net";
import { type Socket as ClientSocket, io as connectClient } from "socket.io-client";
import { guestSessionResponseSchema } from "../../shared/contracts/guest-session";
import type { ClientToServerEvents, ServerToClientEvents } from "../../shared/realtime/events";
import { createBuiltInAgents } from "../agents/built-in";
import type { AgentRegistry } from "../agents/types";
import {
  INTERNAL_HEADERS,
  NO_AUTHORITY_LIMITS,
  TEST_SECRETS,
  toCookieHeader,
} from "../authority/testing/authority-harness";
import { AUTHORITY_ROUTES } from "../common/authority-contract";
import { verifySocketToken } from "../common/socket-tokens";
import { migrate } from "../db/migrate";
import type { TestStore } from "../db/testing/stores";
import type { Db } from "../db/types";
import { type FoyerNode, startFoyerNode } from "../node/start-foyer-node";
import { type SocketBudgets, UNLIMITED_SOCKET_BUDGETS } from "../realtime/budgets";
import { UNLIMITED_DAILY_CAPS } from "../realtime/daily-caps";
import type { ObservedEvent } from "../realtime/gateway";

/**
 * Several real Foyer nodes (gateway + in-process authority) on loopback, sharing one
 * PostgreSQL schema and one Redis, for the scale-out and revocation tests and benchmarks.
 * Every time is `performance.now()` in this process, so a node's log line (e.g. the moment
 * a revoke was answered) and another node's event checks can be compared directly.
 */
export type TestClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export interface LoggedLine {
  event: string;
  fields: Record<string, unknown>;
  at: number;
}

export interface TestNode {
  name: string;
  node: FoyerNode;
  db: Db;
  events: ObservedEvent[];
  logs: LoggedLine[];
  stop(): Promise<void>;
}

export async function startTestNode(
  name: string,
  options: {
    store: TestStore;
    redisUrl?: string;
    observe?: boolean;
    authorityUrl?: string;
    /** @default UNLIMITED_SOCKET_BUDGETS: these tests send bursts on purpose */
    budgets?: SocketBudgets;
    /** @default the built-in bots, the Storyteller without its pauses */
    agents?: AgentRegistry;
  },
): Promise<TestNode> {
  const db = await options.store.open();
  await migrate(db);
  const events: ObservedEvent[] = [];
  const logs: LoggedLine[] = [];
  const node = await startFoyerNode({
    db,
    secrets: TEST_SECRETS,
    port: 0,
    host: "127.0.0.1",
    redisUrl: options.redisUrl,
    authorityUrl: options.authorityUrl,
    publicOrigins: [],
    agents: options.agents ?? createBuiltInAgents({ storytellerDelayInMs: 1 }),
    authorityLimits: { guestCreation: NO_AUTHORITY_LIMITS.guestCreation },
    observeEvent: options.observe === false ? undefined : (e) => events.push(e),
    budgets: options.budgets ?? UNLIMITED_SOCKET_BUDGETS,
    dailyCaps: UNLIMITED_DAILY_CAPS,
    // These tests send bursts on purpose; the cap has tests of its own.
    maxRunningAnswers: Infinity,
    log: (event, fields) => logs.push({ event, fields, at: performance.now() }),
  });
  let stopped = false;
  return {
    name,
    node,
    db,
    events,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await node.close();
      await db.close();
    },
  };
}

export interface TestGuest {
  userId: string;
  sessionId: string;
  token: string;
  /** The Cookie header carrying the guest cookie. */
  cookie: string;
}

/** A new guest through a node's authority (as the web route would). */
export async function createGuest(
  node: TestNode | { node: { authorityUrl: string } },
): Promise<TestGuest> {
  const res = await fetch(new URL(AUTHORITY_ROUTES.guestSession, node.node.authorityUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode: "lookup_or_create" }),
  });
  if (res.status !== 200) throw new Error(`cluster-harness: guest creation answered ${res.status}`);
  const body = guestSessionResponseSchema.parse(await res.json());
  const claims = await verifySocketToken(body.socketToken, TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
  const cookie = toCookieHeader(res.headers.getSetCookie()[0] ?? "");
  return { userId: body.userId, sessionId: claims.sessionId, token: body.socketToken, cookie };
}

/** Revokes a session through a node's authority; resolves with the answer's status. */
export async function revokeOn(
  node: TestNode | { node: { authorityUrl: string } },
  sessionId: string,
): Promise<string> {
  const res = await fetch(
    new URL(AUTHORITY_ROUTES.revokeSession(sessionId), node.node.authorityUrl),
    {
      method: "POST",
      headers: { "content-type": "application/json", ...INTERNAL_HEADERS },
      body: "{}",
    },
  );
  return ((await res.json()) as { status: string }).status;
}

/** Rotates a guest's token family through a node's authority. */
export async function rotateOn(node: TestNode, guest: TestGuest) {
  const res = await fetch(new URL(AUTHORITY_ROUTES.rotateToken, node.node.authorityUrl), {
    method: "POST",
    headers: { "content-type": "application/json", cookie: guest.cookie },
    body: JSON.stringify({ token: guest.token }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { socketToken?: string; status?: string },
  };
}

/** A socket.io client (WebSocket only) with the node's own origin; resolves once connected. */
export function connectTo(
  url: string,
  token: string,
  options: { reconnection?: boolean } = {},
): Promise<TestClient> {
  const socket: TestClient = connectClient(url, {
    transports: ["websocket"],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    forceNew: true,
    auth: { token },
    extraHeaders: { origin: url },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      if (!options.reconnection) reject(error);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A Redis server of the test's own (so it can be killed without touching the machine's),
 * without persistence, on a free loopback port. Fails loudly if `redis-server` is missing.
 */
export async function startRedisServer() {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const proc = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("redis-server did not start in 10 s")),
        10_000,
      );
      proc.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`cluster-harness: cannot run redis-server (${error.message})`));
      });
      proc.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  };
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, restart: start, stop: kill };
}

/**
 * A TCP proxy in front of several nodes: each connection goes to the first target that
 * accepts it, so when a node dies its clients reconnect to the next (what a load balancer
 * with health checks does; Socket.IO over WebSocket only needs no sticky sessions).
 */
export async function startFailoverProxy(targets: () => string[]) {
  const open = new Set<Socket>();
  const server: NetServer = createNetServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.pause();
    const tryTarget = (index: number) => {
      const target = targets()[index];
      if (!target) return client.destroy();
      const { hostname, port } = new URL(target);
      const upstream = new Socket();
      upstream.once("error", () => {
        upstream.destroy();
        tryTarget(index + 1);
      });
      upstream.connect(Number(port), hostname, () => {
        upstream.removeAllListeners("error");
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.on("close", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A TCP proxy to one target whose connections can be cut (and new ones refused) and later
 * let through again: one node losing Redis while the others keep it.
 */
export async function startCuttableProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  let cut = false;
  const server: NetServer = createNetServer((client) => {
    if (cut) return void client.destroy();
    const upstream = new Socket();
    open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on("error", close);
      socket.on("close", close);
    }
    upstream.connect(Number(target.port), target.hostname, () => {
      client.pipe(upstream).pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    async close() {
      cut = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
