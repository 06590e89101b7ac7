import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import { createBuiltInAgents } from "../../lib/server/agents/built-in";
import { TEST_SECRETS } from "../../lib/server/authority/testing/authority-harness";
import type { Db } from "../../lib/server/db/types";
import type { SocketBudgets } from "../../lib/server/realtime/budgets";
import type { DailyCaps } from "../../lib/server/realtime/daily-caps";
import { attachGateway, type Gateway } from "../../lib/server/realtime/gateway";
import { getSessionState, getSessionStates } from "../../lib/server/store/sessions";

/** The baseline servers the bench compares Foyer with, and a bare Foyer gateway. */
export interface RunningArm {
  url: string;
  close(): Promise<void>;
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeHttp(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Budgets no bench load reaches, but finite: every event still pays for the budget check, as
 * on a real node, while a figure measures the path and not the limit.
 */
const HUGE = { capacity: 1e12, perSecond: 1e12 };
export const BENCH_SOCKET_BUDGETS: SocketBudgets = {
  perSocket: { send: HUGE, read: HUGE, cheap: HUGE },
  perUser: { send: HUGE, read: HUGE, cheap: HUGE },
  inFlightPerSocket: 1e9,
  socketsPerSession: 1e9,
  socketsPerUser: 1e9,
};
/** Daily caps no bench run reaches (finite: each send still counts). */
export const BENCH_DAILY_CAPS: DailyCaps = { guest: 1e12, member: 1e12 };

/**
 * Foyer's gateway alone on its own HTTP server (what `startFoyerNode` attaches), with or
 * without the per-event session check: B1's two arms differ in that flag only. Like a node
 * with its own authority, it hears every session change (`receiving`), so events are
 * checked from memory; `receiving: false` is the degraded mode of a node that lost the bus,
 * where every event reads its session from the store first.
 */
export async function startGatewayArm(
  db: Db,
  options: { withoutCheck: boolean; receiving: boolean },
): Promise<RunningArm> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const gateway: Gateway = attachGateway(server, {
    db,
    signingKey: TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY,
    publicOrigins: [],
    agents: createBuiltInAgents(),
    loadSessionState: (sessionId) => getSessionState(db, sessionId),
    loadSessionStates: (sessionIds) => getSessionStates(db, sessionIds),
    budgets: BENCH_SOCKET_BUDGETS,
    dailyCaps: BENCH_DAILY_CAPS,
    // The baseline arm: the same gateway with a check that lets every event through.
    ...(options.withoutCheck ? { checkEventSession: () => null } : {}),
  });
  gateway.setReceivingChanges(options.receiving);
  const url = await listen(server);
  return {
    url,
    async close() {
      await gateway.close();
      await closeHttp(server);
    },
  };
}

/** A Socket.IO server with nothing of Foyer's: no origin check, no middleware, no handlers. */
export async function startBareSocketIo(): Promise<RunningArm> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const io = new Server(server, { serveClient: false });
  const url = await listen(server);
  return {
    url,
    async close() {
      await io.close();
      await closeHttp(server);
    },
  };
}

/** A raw `ws` server that sends every message straight back: the transport's floor. */
export async function startWsEcho(): Promise<RunningArm> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const url = await listen(server);
  return {
    url,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeHttp(server);
    },
  };
}
