import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CLIENT_ADDRESS_HEADER } from "../../shared/names";
import { createBuiltInAgents } from "../agents/built-in";
import type { AgentRegistry } from "../agents/types";
import type { AuthorityLimitOverrides } from "../authority/limits/authority-limits";
import { createRedisLimitStore } from "../authority/limits/limiter-store";
import { type RunningAuthority, startAuthorityServer } from "../authority/router";
import type { Secrets } from "../common/env";
import type { LogFn } from "../common/log";
import { attachChangeReceiver, type ChangeReceiver } from "../common/session-change-hub";
import { waitAtMost } from "../common/wait-at-most";
import type { Db } from "../db/types";
import { type GuestPurgeOptions, startGuestPurgeJob } from "../jobs/purge-guests";
import type { SocketBudgets } from "../realtime/budgets";
import type { DailyCaps } from "../realtime/daily-caps";
import { attachGateway, type Gateway, type ObservedEvent } from "../realtime/gateway";
import { createRedisBus, type RedisBus } from "../realtime/redis-bus";
import {
  beatNode,
  forgetDeadNodes,
  liveNodeIds,
  NODE_HEARTBEAT_INTERVAL_IN_MS,
  removeNode,
} from "../store/gateway-nodes";
import { getSessionState, getSessionStates } from "../store/sessions";
import { compileTrustedProxies, getClientAddress } from "./client-address";

/**
 * One Foyer node: an HTTP server carrying the app's requests and the Socket.IO gateway,
 * the session authority on its own loopback port (unless an external one is named), the
 * guest purge, and, with a Redis URL, the bus that joins it to the other nodes. main.ts runs
 * one with Next.js as the request handler; the cluster tests and benchmarks run several.
 */
export interface FoyerNodeOptions {
  db: Db;
  secrets: Secrets;
  port: number;
  host: string;
  /** Handles every non-Socket.IO request; called once the authority's URL is known. */
  createRequestHandler?: (
    authorityUrl: string,
  ) => Promise<(req: IncomingMessage, res: ServerResponse) => void>;
  /** An external authority; unset: one in this process on `authorityPort` (0: ephemeral). */
  authorityUrl?: string;
  authorityPort?: number;
  /** The in-process authority's limits; with `redisUrl` they are shared by every node's. */
  authorityLimits?: AuthorityLimitOverrides;
  redisUrl?: string;
  publicOrigins: string[];
  trustedProxies?: string;
  agents?: AgentRegistry;
  purge?: GuestPurgeOptions;
  observeEvent?: (event: ObservedEvent) => void;
  /** What one visitor may make this node do. @default DEFAULT_SOCKET_BUDGETS */
  budgets?: SocketBudgets;
  /** Messages per user and day. @default DEFAULT_DAILY_CAPS */
  dailyCaps?: DailyCaps;
  /** Answers written for one user at once. @default DEFAULT_MAX_RUNNING_ANSWERS */
  maxRunningAnswers?: number;
  log: LogFn;
}

export interface FoyerNode {
  url: string;
  authorityUrl: string;
  server: Server;
  gateway: Gateway;
  /**
   * Stops accepting, closes sockets, the authority and the bus (not the db: the caller's).
   * With a grace: drains first (the gateway answers what it took and lets agent replies
   * finish, within `graceInMs`), while new connections are refused.
   */
  close(graceInMs?: number): Promise<void>;
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain" }).end("not found");
}

export async function startFoyerNode(options: FoyerNodeOptions): Promise<FoyerNode> {
  const { db, log } = options;
  const bus: RedisBus | null = options.redisUrl
    ? await createRedisBus(options.redisUrl, { log })
    : null;
  // The gateway exists before the authority answers anything that changes a session.
  let gateway: Gateway | null = null;
  let authority: RunningAuthority | null = null;
  // Every node's authority counts its limits on the one Redis, so nodes do not multiply them.
  const limitStore =
    options.redisUrl && !options.authorityUrl
      ? await createRedisLimitStore(options.redisUrl, log)
      : null;
  if (!options.authorityUrl) {
    authority = await startAuthorityServer({
      db,
      secrets: options.secrets,
      limits: options.authorityLimits,
      limitStore: limitStore?.store,
      port: options.authorityPort ?? 0,
      host: "127.0.0.1",
      onSessionChanged: (change) => gateway?.applySessionChange(change),
      log,
    });
  }
  const authorityUrl = options.authorityUrl ?? authority?.url ?? "";
  const handle = (await options.createRequestHandler?.(authorityUrl)) ?? notFound;
  const trust = compileTrustedProxies(options.trustedProxies);
  const server = createServer((req, res) => {
    // Only this server may speak for the client's address or identity: drop what the client sent.
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith("x-foyer-")) delete req.headers[name];
    }
    req.headers[CLIENT_ADDRESS_HEADER] = getClientAddress(req, trust);
    handle(req, res);
  });
  const nodeId = randomUUID();
  gateway = attachGateway(server, {
    db,
    signingKey: options.secrets.FOYER_TOKEN_SIGNING_KEY,
    publicOrigins: options.publicOrigins,
    agents: options.agents ?? createBuiltInAgents(),
    loadSessionState: (sessionId) => getSessionState(db, sessionId),
    loadSessionStates: (sessionIds) => getSessionStates(db, sessionIds),
    adapter: bus?.adapter,
    nodeId,
    expectedPeers: () => liveNodeIds(db, nodeId),
    observeEvent: options.observeEvent,
    budgets: options.budgets,
    dailyCaps: options.dailyCaps,
    clientAddressOf: (req) => getClientAddress(req, trust),
    maxRunningAnswers: options.maxRunningAnswers,
    log,
  });
  const live = gateway;
  // This process learns of every session change from its own authority, or over the bus
  // while it is up: then the gateway answers from memory and caches derived from sessions
  // may be used (see session-change-hub.ts). Otherwise every event reads the store.
  const receiver: ChangeReceiver | null =
    !options.authorityUrl || bus !== null ? attachChangeReceiver() : null;
  const setReceiving = (receiving: boolean) => {
    receiver?.setLive(receiving);
    live.setReceivingChanges(receiving);
  };
  const membership = bus ? trackMembership({ db, bus, gateway: live, setReceiving, log }) : null;
  if (membership) await membership.start();
  else setReceiving(receiver !== null);
  const purge = options.purge
    ? startGuestPurgeJob({
        db,
        options: options.purge,
        onSessionsEnded: (ended) => {
          for (const e of ended)
            void live.applySessionChange({ ...e, revoked: true, reason: "purged" });
        },
        log,
      })
    : null;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    authorityUrl,
    server,
    gateway: live,
    async close(graceInMs = 0) {
      const started = performance.now();
      // No new connection while draining; the open ones are closed after it.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await membership?.stop();
      receiver?.detach();
      purge?.stop();
      await live.close(graceInMs);
      // HTTP requests in flight (a sign-in whose cookie must reach the browser) finish within
      // what is left of the grace; idle keep-alive connections go at once.
      server.closeIdleConnections();
      const left = Math.max(0, graceInMs - (performance.now() - started));
      await waitAtMost(closed, left);
      server.closeAllConnections();
      await closed;
      await authority?.close();
      await limitStore?.close();
      await bus?.close();
    },
  };
}

/**
 * A node on the bus answers its sockets' events from memory only while it is listed in
 * gateway_nodes, so that a revoke counts on its acknowledgement (store/gateway-nodes.ts).
 * Bus lost: it stops trusting memory at once (every event reads the store) and takes itself
 * off the list. Bus back: it lists itself, re-reads its sockets' sessions (changes made
 * before it was listed again), and only then trusts memory; its clients re-sync messages.
 */
function trackMembership(deps: {
  db: Db;
  bus: RedisBus;
  gateway: Gateway;
  setReceiving(receiving: boolean): void;
  log: LogFn;
}) {
  const { db, bus, gateway, setReceiving, log } = deps;
  let trusted = false;
  let losses = 0;
  let beats = 0;
  let running: Promise<void> | null = null;
  const failed = (step: string) => (error: unknown) =>
    log("gateway.membership_failed", {
      step,
      error: error instanceof Error ? error.message : "unknown",
    });
  async function beat(): Promise<void> {
    if (!bus.up) return;
    const lossesBefore = losses;
    await beatNode(db, gateway.nodeId);
    // The bus was lost while the row was written: the removal may have run first.
    if (losses !== lossesBefore) return removeNode(db, gateway.nodeId);
    beats += 1;
    // About once an hour (and at start): rows of nodes that died without removing theirs.
    if (beats % 1_800 === 1) await forgetDeadNodes(db);
    if (trusted) return;
    await gateway.reconcileSessions();
    // Lost again meanwhile: stay off memory (the loss already took the node off the list).
    if (losses !== lossesBefore || !bus.up) return;
    trusted = true;
    setReceiving(true);
    log("gateway.answering_from_memory", { nodeId: gateway.nodeId });
    // Messages relayed while the bus was down are lost to this node's clients: they re-sync.
    if (losses > 0) gateway.io.local.emit("sync:required");
  }
  const tick = () => {
    running ??= beat()
      .catch(failed("heartbeat"))
      .finally(() => {
        running = null;
      });
    return running;
  };
  bus.onLost(() => {
    losses += 1;
    trusted = false;
    setReceiving(false);
    void removeNode(db, gateway.nodeId).catch(failed("remove"));
  });
  bus.onRecovered(() => void tick());
  const timer = setInterval(tick, NODE_HEARTBEAT_INTERVAL_IN_MS);
  timer.unref();
  return {
    /** Lists the node and trusts memory before it serves anything (store errors throw). */
    async start() {
      await beat();
    },
    async stop() {
      clearInterval(timer);
      await running;
      trusted = false;
      setReceiving(false);
      await removeNode(db, gateway.nodeId).catch(failed("remove"));
    },
  };
}
