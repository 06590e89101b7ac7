import type { ServerOptions } from "socket.io";
import type { AgentRegistry } from "../agents/types";
import { type EnvVars, readPositiveNumber } from "../common/env";
import type { LogFn } from "../common/log";
import type { Db } from "../db/types";
import type { AnswerRunner } from "./answers/runner";
import type { BudgetKeeper, SocketBudgets } from "./budgets";
import type { DailyCapKeeper, DailyCaps } from "./daily-caps";
import type { DrainGate } from "./drain";
import type { EventSessionCheck } from "./handler-kit";
import type { KnownChannels } from "./known-channels";
import type { GatewayServer } from "./rooms";
import type { SessionGenerations } from "./sessions/generations";

/** A session's auth state as the store (or the authority) knows it. */
export interface GatewaySessionState {
  userId: string;
  generation: number;
  revoked: boolean;
  /** The session's absolute expiry; null or absent for none. */
  expiresAt?: Date | null;
}

/** One client event as the per-event check judged it (observability, tests, benchmarks). */
export interface ObservedEvent {
  event: string;
  sessionId: string;
  accepted: boolean;
  /** `performance.now()` when the event arrived (its listener ran), before its check. */
  at: number;
}

/** What `attachGateway` needs. */
export interface GatewayDeps {
  db: Db;
  /** HS256 key socket tokens are signed with (`FOYER_TOKEN_SIGNING_KEY`). */
  signingKey: string;
  /** Origins a handshake may come from; empty: the origin its Host header names. */
  publicOrigins: string[];
  agents: AgentRegistry;
  /** The session's current state, or null when there is no such session. */
  loadSessionState(sessionId: string): Promise<GatewaySessionState | null>;
  /** Many sessions' states in one read (reconciling); default: `loadSessionState` each. */
  loadSessionStates?(sessionIds: string[]): Promise<Map<string, GatewaySessionState>>;
  /** This node's id on the bus (acknowledgements carry it); default: a random UUID. */
  nodeId?: string;
  /**
   * The other nodes that must acknowledge a session change for it to be confirmed (the
   * live ones answering from memory: store/gateway-nodes.ts). Unset: whoever is on the bus.
   */
  expectedPeers?(): Promise<string[]>;
  /**
   * A Socket.IO adapter (e.g. the Redis adapter) for several gateway nodes. When set,
   * session changes are also relayed to the other nodes with `serverSideEmit`.
   */
  adapter?: ServerOptions["adapter"];
  /** Socket.IO path; default "/socket.io". */
  path?: string;
  log?: LogFn;
  /** Called for every client event at its per-event check. */
  observeEvent?: (event: ObservedEvent) => void;
  /** How long `applySessionChange` waits for the other nodes to confirm. */
  confirmTimeoutInMs?: number;
  /**
   * The per-event session check every listener runs.
   * @default checkEventSession (handler-kit.ts)
   * A node never passes it (`startFoyerNode` has no way to); it is a seam so that a
   * measurement can run the same gateway with another check from outside (bench B1).
   */
  checkEventSession?: EventSessionCheck;
  /**
   * What one visitor may make this node do (budgets.ts).
   * @default DEFAULT_SOCKET_BUDGETS
   */
  budgets?: SocketBudgets;
  /**
   * Messages per user and UTC day (daily-caps.ts).
   * @default DEFAULT_DAILY_CAPS
   */
  dailyCaps?: DailyCaps;
  /**
   * Most answers written for one user at once, across the nodes.
   * @default DEFAULT_MAX_RUNNING_ANSWERS
   */
  maxRunningAnswers?: number;
  /** The client address of a handshake request (default: its TCP peer). */
  clientAddressOf?(request: import("node:http").IncomingMessage): string;
  /** Push window of answers being written (answers/coalescer.ts); tests and benchmarks. */
  answerPushWindowInMs?: number;
}

/** Most answers being written for one user at once, unless the node says otherwise. */
export const DEFAULT_MAX_RUNNING_ANSWERS = 3;

/** `FOYER_ANSWERS_PER_USER`: answers written for one user at once, across the nodes. */
export function readMaxRunningAnswers(env: EnvVars = process.env): number {
  return readPositiveNumber(env, "FOYER_ANSWERS_PER_USER", DEFAULT_MAX_RUNNING_ANSWERS);
}

/** What handlers share: the deps plus the gateway's own state. */
export interface GatewayContext {
  io: GatewayServer;
  db: Db;
  agents: AgentRegistry;
  signingKey: string;
  loadSessionState: GatewayDeps["loadSessionState"];
  sessions: SessionGenerations;
  /** The answers this node writes; ends orphans of dead nodes. */
  answers: AnswerRunner;
  /** This node's id on the bus. */
  nodeId: string;
  /** True when other nodes may exist (an adapter is set): stops and snapshots ask them. */
  clustered: boolean;
  maxRunningAnswers: number;
  /** The client address of a handshake request. */
  clientAddressOf(request: import("node:http").IncomingMessage): string;
  channels: KnownChannels;
  log: LogFn;
  observeEvent?: (event: ObservedEvent) => void;
  checkEventSession: EventSessionCheck;
  budgets: BudgetKeeper;
  dailyCaps: DailyCapKeeper;
  /** The node's events in flight, closed to new ones while it shuts down. */
  gate: DrainGate;
}
