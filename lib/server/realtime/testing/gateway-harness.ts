import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Socket as ClientSocket, io as connectClient } from "socket.io-client";
import { createId } from "../../../shared/ids";
import type { ClientToServerEvents, ServerToClientEvents } from "../../../shared/realtime/events";
import { createBuiltInAgents } from "../../agents/built-in";
import type { AgentRegistry } from "../../agents/types";
import { createSocketToken } from "../../authority/create-socket-token";
import { createMemoryDb, insertTestUser } from "../../db/testing/memory-db";
import type { Db } from "../../db/types";
import { type SocketBudgets, UNLIMITED_SOCKET_BUDGETS } from "../budgets";
import { type DailyCaps, UNLIMITED_DAILY_CAPS } from "../daily-caps";
import {
  attachGateway,
  type Gateway,
  type GatewayDeps,
  type GatewaySessionState,
} from "../gateway";

export type TestClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export interface TestUser {
  userId: string;
  sessionId: string;
  token: string;
}

export interface ConnectOptions {
  token?: string | null;
  origin?: string | null;
  query?: Record<string, string>;
}

export interface TestGateway {
  url: string;
  origin: string;
  signingKey: string;
  gateway: Gateway;
  db: Db;
  /** The authority's view that `loadSessionState` reads; tests edit it to revoke or rotate. */
  sessionStates: Map<string, GatewaySessionState>;
  /** A user row and a session; `member` mints a member token (the row stays a test row). */
  createUser(options?: { kind?: "guest" | "member"; userId?: string }): Promise<TestUser>;
  mintToken(
    user: Omit<TestUser, "token">,
    generation?: number,
    now?: Date,
    kind?: "guest" | "member",
  ): Promise<string>;
  /** Resolves once connected; rejects with the `connect_error`. */
  connect(options: ConnectOptions): Promise<TestClient>;
  close(): Promise<void>;
}

export interface StartTestGatewayOptions {
  agents?: AgentRegistry;
  /** Wraps the store the gateway uses (e.g. to observe transactions). */
  wrapDb?: (db: Db) => Db;
  /** @default UNLIMITED_SOCKET_BUDGETS: most tests send bursts; budget tests pass their own */
  budgets?: SocketBudgets;
  /** @default UNLIMITED_DAILY_CAPS */
  dailyCaps?: DailyCaps;
  /** @default Infinity: most tests send bursts; the cap's own tests pass one */
  maxRunningAnswers?: number;
  /** The client address handshakes come from (per-address allowances). */
  clientAddressOf?: GatewayDeps["clientAddressOf"];
  /** This gateway's node id (several gateways on one store). */
  nodeId?: string;
  /** Receives the gateway's log lines. */
  log?: GatewayDeps["log"];
}

/** Test harness: a real HTTP server on 127.0.0.1:0 with the gateway and an in-memory store. */
export async function startTestGateway(
  options: StartTestGatewayOptions = {},
): Promise<TestGateway> {
  const signingKey = `test-key-${createId("k")}`;
  const db = await createMemoryDb();
  const sessionStates = new Map<string, GatewaySessionState>();
  const server = createServer();
  const gateway = attachGateway(server, {
    db: options.wrapDb ? options.wrapDb(db) : db,
    signingKey,
    publicOrigins: [],
    agents: options.agents ?? createBuiltInAgents({ storytellerDelayInMs: 2 }),
    loadSessionState: async (sessionId) => sessionStates.get(sessionId) ?? null,
    budgets: options.budgets ?? UNLIMITED_SOCKET_BUDGETS,
    dailyCaps: options.dailyCaps ?? UNLIMITED_DAILY_CAPS,
    maxRunningAnswers: options.maxRunningAnswers ?? Infinity,
    clientAddressOf: options.clientAddressOf,
    nodeId: options.nodeId,
    log: options.log,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: TestClient[] = [];

  const mintToken: TestGateway["mintToken"] = async (user, generation = 1, now, kind = "guest") =>
    (await createSocketToken({ ...user, kind, generation }, signingKey, now)).token;

  return {
    url,
    origin: url,
    signingKey,
    gateway,
    db,
    sessionStates,
    mintToken,
    async createUser(options = {}) {
      const user = { userId: options.userId ?? createId("usr"), sessionId: createId("ses") };
      await insertTestUser(db, user.userId);
      sessionStates.set(user.sessionId, { userId: user.userId, generation: 1, revoked: false });
      return { ...user, token: await mintToken(user, 1, undefined, options.kind) };
    },
    connect({ token, origin = url, query }) {
      const socket: TestClient = connectClient(url, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        auth: token === null || token === undefined ? {} : { token },
        extraHeaders: origin === null ? {} : { origin },
        query,
      });
      clients.push(socket);
      return new Promise((resolve, reject) => {
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", (error) => reject(error));
      });
    },
    async close() {
      for (const client of clients) client.disconnect();
      await gateway.close();
      await db.close();
    },
  };
}

/** Emits with an ack and a timeout (the promise rejects when no ack arrives in time). */
export function emitAck<E extends keyof ClientToServerEvents>(
  socket: TestClient,
  event: E,
  payload: unknown,
  timeoutInMs = 2000,
): Promise<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]> {
  // biome-ignore lint/suspicious/noExplicitAny: tests send deliberately malformed payloads.
  return (socket.timeout(timeoutInMs) as any).emitWithAck(event, payload);
}

/** Everything `socket` receives for `event`, as it arrives. */
export function collect<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  // biome-ignore lint/suspicious/noExplicitAny: generic listener over the typed event map.
  socket.on(event, ((value: any) => seen.push(value)) as any);
  return seen;
}

/** Polls `predicate` until true; throws after `timeoutInMs`. */
export async function waitFor(predicate: () => boolean, timeoutInMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("waitFor: condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after `ms`; for asserting that something did *not* arrive. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
