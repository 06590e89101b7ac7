import { randomUUID } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { collectConfirmation, isSessionChange, type SessionChange } from "../common/session-change";
import { ANSWER_SWEEP_INTERVAL_IN_MS, createAnswerRunner } from "./answers/runner";
import { createBudgetKeeper, DEFAULT_SOCKET_BUDGETS } from "./budgets";
import {
  DEFAULT_MAX_RUNNING_ANSWERS,
  type GatewayContext,
  type GatewayDeps,
  type GatewaySessionState,
} from "./context";
import { createDailyCapKeeper, DEFAULT_DAILY_CAPS } from "./daily-caps";
import { createDrainGate } from "./drain";
import {
  type ClientEvent,
  checkEventSession,
  createListener,
  type GatewaySocket,
  type SocketListener,
  subscribe,
} from "./handler-kit";
import { agentList } from "./handlers/agent-list";
import { channelHistory } from "./handlers/channel-history";
import { channelJoin } from "./handlers/channel-join";
import { channelRead } from "./handlers/channel-read";
import { generationRegenerate } from "./handlers/generation-regenerate";
import { generationSnapshot } from "./handlers/generation-snapshot";
import { generationStop } from "./handlers/generation-stop";
import { messageSend } from "./handlers/message-send";
import { preferencesGet, preferencesUpdate } from "./handlers/preferences";
import { starSet } from "./handlers/star-set";
import { tokenRefresh } from "./handlers/token-refresh";
import { createAllowRequest, createHandshakeMiddleware, findSocketCap } from "./handshake";
import { createKnownChannels } from "./known-channels";
import { type GatewayServer, sessionRoom, userRoom } from "./rooms";
import { applySessionChangeLocally, applyStoredState } from "./sessions/changes";
import { createSessionGenerations, type SessionGenerations } from "./sessions/generations";

export type { GatewayDeps, GatewaySessionState, ObservedEvent } from "./context";

/** How long a session change waits for the other gateway nodes by default. */
export const DEFAULT_CONFIRM_TIMEOUT_IN_MS = 2_000;

/** Whether every gateway node applied a change before the answer. */
export interface ChangeConfirmation {
  /** False: some node did not confirm in time; the change is durable but still pending there. */
  confirmed: boolean;
  /** Other nodes that confirmed. */
  nodes: number;
}

/** How often a node re-reads its sockets' sessions from the store (a missed change's bound). */
export const RECONCILE_INTERVAL_IN_MS = 10_000;

/** Largest Socket.IO packet accepted (a message body is at most 4000 characters). */
export const GATEWAY_MAX_PACKET_IN_BYTES = 64 * 1024;
const PRUNE_INTERVAL_IN_MS = 60_000;
/** How often a node tells the others what its users spent (the budgets' cross-node lag). */
const BUDGET_REPORT_INTERVAL_IN_MS = 250;

/** The realtime gateway attached to an HTTP server. */
export interface Gateway {
  io: GatewayServer;
  /** The per-event check's table (read-only use: observability and tests). */
  sessions: SessionGenerations;
  /**
   * Applies a rotate or revoke on this node synchronously (no event carried by a token of an
   * older generation is accepted once it is called), then, with an adapter, on every other
   * node: resolves once they all acknowledged having applied it, or with `confirmed: false`
   * when one did not within the timeout.
   */
  applySessionChange(change: SessionChange): Promise<ChangeConfirmation>;
  /**
   * Whether this node now hears every session change before it answers (its own authority,
   * or the bus while it is up): only then may a handshake trust the in-memory table instead
   * of reading the store. Off until the node says so.
   */
  setReceivingChanges(receiving: boolean): void;
  /** This node's id on the bus. */
  readonly nodeId: string;
  /**
   * Re-reads every session a socket relies on from the store and applies what this node
   * missed (a change made while it was off the bus): resolves with how many changed.
   */
  reconcileSessions(): Promise<number>;
  /**
   * Closes the gateway. With a grace (a draining shutdown): takes no new event, answers the
   * ones in flight, lets agent replies finish, all within `graceInMs`; then aborts what is
   * left, disconnects every socket (clients reconnect to another node) and closes Socket.IO
   * (and the HTTP server).
   */
  close(graceInMs?: number): Promise<void>;
}

/** The client events, one line each, in the order a socket subscribes to them. */
function toListeners(ctx: GatewayContext): [ClientEvent, SocketListener][] {
  return [
    [agentList.event, createListener(ctx, agentList)],
    [channelJoin.event, createListener(ctx, channelJoin)],
    [channelHistory.event, createListener(ctx, channelHistory)],
    [messageSend.event, createListener(ctx, messageSend)],
    [generationStop.event, createListener(ctx, generationStop)],
    [generationSnapshot.event, createListener(ctx, generationSnapshot)],
    [generationRegenerate.event, createListener(ctx, generationRegenerate)],
    [tokenRefresh.event, createListener(ctx, tokenRefresh)],
    [starSet.event, createListener(ctx, starSet)],
    [channelRead.event, createListener(ctx, channelRead)],
    [preferencesGet.event, createListener(ctx, preferencesGet)],
    [preferencesUpdate.event, createListener(ctx, preferencesUpdate)],
  ];
}

/** Per connection: checks, rooms and the gateway's shared listeners (no closure per socket). */
function createOnConnection(ctx: GatewayContext) {
  const listeners = toListeners(ctx);
  function release(this: GatewaySocket): void {
    ctx.sessions.release(this.data.sessionId);
  }
  return (socket: GatewaySocket): void => {
    const { userId, sessionId, generation } = socket.data;
    // A revoke may have landed between the handshake and now.
    if (!ctx.sessions.isCurrent(sessionId, generation)) return void socket.disconnect(true);
    // Handshakes that raced past a socket cap together: the extra one goes now (it comes
    // back and its handshake is refused with the cap's reason). Rooms are joined below.
    if (findSocketCap(ctx, userId, sessionId)) return void socket.disconnect(true);
    ctx.sessions.retain(sessionId);
    socket.on("disconnect", release);
    void socket.join([userRoom(userId), sessionRoom(sessionId)]);
    for (const [event, listener] of listeners) subscribe(socket, event, listener);
  };
}

/**
 * Attaches Socket.IO to `httpServer` at `deps.path` (default "/socket.io"). Handshakes need
 * a same-origin Origin and a valid socket token in `auth.token`; connection-state recovery
 * stays off, because a recovered socket would skip these checks.
 */
export function attachGateway(httpServer: HttpServer, deps: GatewayDeps): Gateway {
  const log = deps.log ?? (() => {});
  const io: GatewayServer = new Server(httpServer, {
    path: deps.path ?? "/socket.io",
    serveClient: false,
    allowRequest: createAllowRequest(deps.publicOrigins, { log }),
    maxHttpBufferSize: GATEWAY_MAX_PACKET_IN_BYTES,
    // Next's dev server shares this HTTP server for its own WebSocket upgrades (HMR).
    destroyUpgrade: false,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  const nodeId = deps.nodeId ?? randomUUID();
  const ctx: GatewayContext = {
    io,
    db: deps.db,
    agents: deps.agents,
    signingKey: deps.signingKey,
    loadSessionState: deps.loadSessionState,
    sessions: createSessionGenerations(),
    answers: createAnswerRunner({
      io,
      db: deps.db,
      log,
      nodeId,
      pushWindowInMs: deps.answerPushWindowInMs,
    }),
    nodeId,
    clustered: deps.adapter !== undefined,
    maxRunningAnswers: deps.maxRunningAnswers ?? DEFAULT_MAX_RUNNING_ANSWERS,
    clientAddressOf:
      deps.clientAddressOf ?? ((request) => request.socket.remoteAddress ?? "unknown"),
    channels: createKnownChannels(),
    log,
    observeEvent: deps.observeEvent,
    checkEventSession: deps.checkEventSession ?? checkEventSession,
    budgets: createBudgetKeeper(deps.budgets ?? DEFAULT_SOCKET_BUDGETS),
    dailyCaps: createDailyCapKeeper(deps.dailyCaps ?? DEFAULT_DAILY_CAPS),
    gate: createDrainGate(),
  };
  io.use(createHandshakeMiddleware(ctx, deps.publicOrigins));
  io.on("connection", createOnConnection(ctx));
  // Stops and snapshots of answers another node is writing come over the bus.
  io.on("answer:stop", (messageId) => {
    if (typeof messageId === "string") ctx.answers.stop(messageId);
  });
  io.on("answer:snapshot", (messageId, ack) => {
    if (typeof ack === "function") {
      ack(typeof messageId === "string" ? ctx.answers.snapshot(messageId) : null);
    }
  });
  // Leases of this node's answers, and the answers of nodes that died (docs/design.md).
  const sweepAnswers = () =>
    ctx.answers
      .sweep()
      .catch((error: unknown) =>
        log("answer.sweep_failed", { error: error instanceof Error ? error.message : "unknown" }),
      );
  void sweepAnswers();
  const answerSweeper = setInterval(sweepAnswers, ANSWER_SWEEP_INTERVAL_IN_MS);
  answerSweeper.unref();
  // A user's budget is one across the nodes: each node tells the others what its users
  // spent, a few times a second, and takes off what they spent elsewhere.
  io.on("budget:spent", (report) => ctx.budgets.applySpent(report, Date.now()));
  const budgetReporter = deps.adapter
    ? setInterval(() => {
        const report = ctx.budgets.takeSpent();
        if (report) io.serverSideEmit("budget:spent", report);
      }, BUDGET_REPORT_INTERVAL_IN_MS)
    : null;
  budgetReporter?.unref();
  io.on("session:generation", (change, ack) => {
    const valid = isSessionChange(change);
    if (valid) applySessionChangeLocally(ctx, change);
    if (typeof ack === "function") ack(valid ? nodeId : false);
  });
  const pruner = setInterval(() => {
    ctx.sessions.prune();
    ctx.budgets.prune(Date.now());
    ctx.dailyCaps.prune();
  }, PRUNE_INTERVAL_IN_MS);
  pruner.unref();
  const loadStates =
    deps.loadSessionStates ??
    (async (ids: string[]) => {
      const states = new Map<string, GatewaySessionState>();
      for (const id of ids) {
        const state = await deps.loadSessionState(id);
        if (state) states.set(id, state);
      }
      return states;
    });
  async function reconcileSessions(): Promise<number> {
    const ids = ctx.sessions.retainedIds();
    if (ids.length === 0) return 0;
    const states = await loadStates(ids);
    let changed = 0;
    for (const id of ids) if (applyStoredState(ctx, id, states.get(id) ?? null)) changed += 1;
    if (changed > 0) log("gateway.sessions_reconciled", { sessions: ids.length, changed });
    return changed;
  }
  // A safety net under the bus: a change some node could not confirm (answered `pending`)
  // still reaches it within this interval.
  const reconciler = setInterval(() => {
    reconcileSessions().catch((error: unknown) =>
      log("gateway.reconcile_failed", {
        error: error instanceof Error ? error.message : "unknown",
      }),
    );
  }, RECONCILE_INTERVAL_IN_MS);
  reconciler.unref();

  return {
    io,
    sessions: ctx.sessions,
    setReceivingChanges: (receiving) => ctx.sessions.setReceiving(receiving),
    nodeId,
    reconcileSessions,
    async applySessionChange(change) {
      applySessionChangeLocally(ctx, change);
      // The in-memory adapter has no other nodes (and warns on serverSideEmit).
      if (!deps.adapter) return { confirmed: true, nodes: 0 };
      const timeoutInMs = deps.confirmTimeoutInMs ?? DEFAULT_CONFIRM_TIMEOUT_IN_MS;
      try {
        // The expected nodes are read after the change is durable, so a node that takes
        // itself off the list later already checks the store on every event (node.ts).
        const { confirmed, acks, missing } = await collectConfirmation(
          () => io.serverSideEmitWithAck("session:generation", change),
          () => deps.expectedPeers?.() ?? Promise.resolve([]),
          timeoutInMs,
        );
        if (!confirmed) {
          log("gateway.session_change_unconfirmed", {
            sessionId: change.sessionId,
            generation: change.generation,
            error: "an expected node did not acknowledge",
            missing,
          });
        }
        return { confirmed, nodes: acks.length };
      } catch (error) {
        log("gateway.session_change_unconfirmed", {
          sessionId: change.sessionId,
          generation: change.generation,
          error: error instanceof Error ? error.message : "unknown",
        });
        return { confirmed: false, nodes: 0 };
      }
    },
    async close(graceInMs = 0) {
      clearInterval(pruner);
      clearInterval(reconciler);
      if (budgetReporter) clearInterval(budgetReporter);
      const started = performance.now();
      const answered = await ctx.gate.drain(graceInMs);
      // The events it took are answered: its sockets go now, to reconnect to another node and
      // send again there what was refused. Running answers still store their end, and
      // with a bus their pushes reach those sockets on the other nodes.
      if (graceInMs > 0) io.local.disconnectSockets(true);
      const left = Math.max(0, graceInMs - (performance.now() - started));
      await ctx.answers.close(left);
      // Only now: answers that run on through the grace keep renewing their leases (a drain
      // may outlast a lease), or another node would end them as interrupted meanwhile.
      clearInterval(answerSweeper);
      if (graceInMs > 0) {
        log("gateway.drained", {
          eventsAnswered: answered,
          tookMs: Math.round(performance.now() - started),
        });
      }
      await io.close();
    },
  };
}
