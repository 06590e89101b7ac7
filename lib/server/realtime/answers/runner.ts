import { parseChannel } from "../../../shared/realtime/channels";
import type {
  AnswerStatus,
  ChatMessage,
  GenerationSnapshot,
} from "../../../shared/realtime/events";
import { type Agent, AgentError, type AgentOutcome, type AgentUsage } from "../../agents/types";
import type { LogFn } from "../../common/log";
import { waitAtMost } from "../../common/wait-at-most";
import type { Db } from "../../db/types";
import {
  endGeneration,
  type GenerationRow,
  renewGenerations,
  takeOverExpired,
} from "../../store/generations";
import { appendMessage, getMessage, listMessagesBefore } from "../../store/messages";
import type { GatewayServer } from "../rooms";
import { toChannelAudience } from "../rooms";
import { createCoalescer, PUSH_WINDOW_IN_MS } from "./coalescer";

/** How many earlier messages an agent sees. */
export const AGENT_HISTORY_LIMIT = 20;
/** Longest answer stored (about 8,000 tokens); a runaway agent is cut here (`length`). */
export const ANSWER_MAX_LENGTH = 32_000;
/** Longest an answer may take from its request to its last token. */
export const ANSWER_TIMEOUT_IN_MS = 5 * 60_000;
/** How often a node renews its answers' leases (saving their text) and sweeps for orphans. */
export const ANSWER_SWEEP_INTERVAL_IN_MS = 2_500;
/** How long a closing runner waits for aborted answers to be stored. */
const ABORTED_ANSWER_WAIT_IN_MS = 2_000;

export const INTERRUPTED_NOTE = "The answer was cut off when its server went away.";
const STOPPED_NOTE = null;
const FAILED_NOTE = "Sorry, the agent could not answer just now.";
const EMPTY_NOTE = "The agent gave no answer. Try again, or ask another way.";
const TIMEOUT_NOTE = "The answer took too long and was cut off.";

/** One answer this node is writing. */
interface RunningAnswer {
  id: string;
  channel: string;
  agent: Agent;
  replyTo: string;
  text: string;
  controller: AbortController;
  stopRequested: boolean;
}

export interface StartAnswerInput {
  /** The claimed generation's id: the answer's message id. */
  id: string;
  channel: string;
  agent: Agent;
  userMessage: ChatMessage;
}

export interface AnswerRunner {
  /** Writes the answer in the background (its generation row is already claimed). */
  start(input: StartAnswerInput): void;
  /** Asks this node's answer to stop; false when this node is not writing it. */
  stop(id: string): boolean;
  /** The text so far of this node's answer, or null when this node is not writing it. */
  snapshot(id: string): GenerationSnapshot | null;
  /** Ends an answer whose node is gone (taken over) as `status`, with the text it saved. */
  endOrphan(row: GenerationRow, status: "interrupted" | "stopped"): Promise<void>;
  /** Renews this node's leases and ends the answers of nodes that stopped renewing theirs. */
  sweep(): Promise<void>;
  /**
   * At start: ends what earlier runs left streaming, as a sweep does; with `all`, even while
   * their leases hold (no other node can be writing them).
   */
  recover(options: { all: boolean }): Promise<void>;
  /** How many answers this node is writing. */
  readonly size: number;
  /**
   * Takes no new answer, lets running ones finish for up to `graceInMs`, then stops the rest,
   * which are stored as `interrupted` (every tab shows it and can retry).
   */
  close(graceInMs?: number): Promise<void>;
}

export interface AnswerRunnerDeps {
  io: GatewayServer;
  db: Db;
  log: LogFn;
  nodeId: string;
  /** Push window (tests and benchmarks may change it). */
  pushWindowInMs?: number;
}

/** How an answer ended, before it is stored. */
interface AnswerEnd {
  status: AnswerStatus;
  text: string;
  note: string | null;
  finishReason: string | null;
  failureCode: string | null;
  usage: AgentUsage;
}

/**
 * The history an agent reads: of a question answered several times (regenerated), only the
 * newest answer, so the model does not see itself answer twice.
 */
export function toLatestVersions(history: readonly ChatMessage[]): ChatMessage[] {
  const newest = new Map<string, string>();
  for (const message of history) {
    if (message.authorKind === "agent" && message.replyTo) newest.set(message.replyTo, message.id);
  }
  return history.filter(
    (m) => m.authorKind !== "agent" || !m.replyTo || newest.get(m.replyTo) === m.id,
  );
}

/** About four characters a token: an estimate for upstreams that send no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Reads `iterator` until it ends or `signal` aborts (an agent that ignores it is let go). */
async function readAnswer(
  // biome-ignore lint/suspicious/noConfusingVoidType: the agent contract's return type.
  iterator: AsyncGenerator<string, AgentOutcome | void, undefined>,
  signal: AbortSignal,
  onPiece: (piece: string) => boolean,
): Promise<AgentOutcome | undefined> {
  const aborted = new Promise<"aborted">((resolve) => {
    if (signal.aborted) resolve("aborted");
    signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  for (;;) {
    const next = iterator.next();
    // A step that settles after the abort won must not become an unhandled rejection.
    next.catch(() => {});
    const step = await Promise.race([next, aborted]);
    if (step === "aborted") {
      iterator.return(undefined).catch(() => {});
      return undefined;
    }
    if (step.done) return step.value ?? undefined;
    if (!onPiece(step.value)) {
      iterator.return(undefined).catch(() => {});
      return { finishReason: "length" };
    }
  }
}

export function createAnswerRunner(deps: AnswerRunnerDeps): AnswerRunner {
  const { io, db, log, nodeId } = deps;
  const running = new Map<string, RunningAnswer>();
  const tasks = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let closing = false;

  /**
   * Stores the answer once (its generation id is its message key, so a second store, by a
   * node that took it over meanwhile, returns the first) and pushes it, then ends the row.
   */
  async function storeAnswer(
    target: { id: string; channel: string; agentId: string; replyTo: string },
    end: AnswerEnd,
  ): Promise<void> {
    const { message, created } = await appendMessage(db, {
      id: target.id,
      channel: target.channel,
      authorId: target.agentId,
      authorKind: "agent",
      body: end.text,
      clientMessageId: target.id,
      status: end.status,
      note: end.note,
      replyTo: target.replyTo,
    });
    await endGeneration(db, {
      id: target.id,
      nodeId,
      status: end.status,
      body: end.text,
      finishReason: end.finishReason,
      failureCode: end.failureCode,
      promptTokens: end.usage.promptTokens,
      completionTokens: end.usage.completionTokens,
      usageEstimated: end.usage.estimated,
    });
    if (!created) return;
    const landed = parseChannel(message.channel);
    if (landed) toChannelAudience(io, landed).emit("message:created", message);
  }

  async function run(answer: RunningAnswer, userMessage: ChatMessage): Promise<void> {
    const direct = parseChannel(answer.channel);
    if (!direct) return;
    const audience = toChannelAudience(io, direct);
    const coalescer = createCoalescer({
      windowInMs: deps.pushWindowInMs ?? PUSH_WINDOW_IN_MS,
      // A bot that answers in one piece has nothing to show before its message. Only the
      // first push says where the answer belongs: later ones are its id, offset and text
      // (docs/benchmarks.md, B12), and a tab that missed the first asks for a snapshot.
      emit: (offset, text) =>
        answer.agent.streams &&
        audience.emit(
          "message:delta",
          offset === 0
            ? {
                messageId: answer.id,
                offset,
                text,
                channel: answer.channel,
                authorId: answer.agent.id,
                replyTo: answer.replyTo,
              }
            : { messageId: answer.id, offset, text },
        ),
    });
    const timeout = AbortSignal.timeout(ANSWER_TIMEOUT_IN_MS);
    const signal = AbortSignal.any([answer.controller.signal, shutdown.signal, timeout]);
    const history = toLatestVersions(
      await listMessagesBefore(db, answer.channel, userMessage.seq, AGENT_HISTORY_LIMIT),
    );
    let outcome: AgentOutcome | undefined;
    let failure: AgentError | null = null;
    try {
      outcome = await readAnswer(
        answer.agent.reply({ history, userMessage, signal }),
        signal,
        (piece) => {
          const room = ANSWER_MAX_LENGTH - answer.text.length;
          const kept = piece.length > room ? piece.slice(0, room) : piece;
          answer.text += kept;
          coalescer.push(kept);
          return answer.text.length < ANSWER_MAX_LENGTH;
        },
      );
    } catch (error) {
      failure =
        error instanceof AgentError
          ? error
          : new AgentError("agent_failed", FAILED_NOTE, { cause: error });
    }
    coalescer.flush();
    const prompt = [...history, userMessage].reduce((n, m) => n + estimateTokens(m.body), 0);
    const usage: AgentUsage = outcome?.usage ?? {
      promptTokens: prompt,
      completionTokens: estimateTokens(answer.text),
      estimated: true,
    };
    let end: AnswerEnd;
    if (answer.stopRequested) {
      end = {
        status: "stopped",
        text: answer.text,
        note: STOPPED_NOTE,
        finishReason: "stop_requested",
        failureCode: null,
        usage,
      };
    } else if (shutdown.signal.aborted) {
      end = {
        status: "interrupted",
        text: answer.text,
        note: INTERRUPTED_NOTE,
        finishReason: null,
        failureCode: "node_shutdown",
        usage,
      };
    } else if (timeout.aborted) {
      end = {
        status: "failed",
        text: answer.text,
        note: TIMEOUT_NOTE,
        finishReason: null,
        failureCode: "answer_timeout",
        usage,
      };
    } else if (failure) {
      log("answer.failed", {
        messageId: answer.id,
        agentId: answer.agent.id,
        code: failure.code,
        status: failure.status,
      });
      end = {
        status: "failed",
        text: answer.text,
        note: failure.message,
        finishReason: null,
        failureCode: failure.code,
        usage,
      };
    } else if (answer.text.trim() === "") {
      end = {
        status: "failed",
        text: "",
        note: EMPTY_NOTE,
        finishReason: outcome?.finishReason ?? null,
        failureCode: "empty_answer",
        usage,
      };
    } else {
      end = {
        status: "complete",
        text: answer.text,
        note: null,
        finishReason: outcome?.finishReason ?? "stop",
        failureCode: null,
        usage,
      };
    }
    await storeAnswer(
      { id: answer.id, channel: answer.channel, agentId: answer.agent.id, replyTo: answer.replyTo },
      end,
    );
  }

  function track(task: Promise<void>): void {
    const tracked = task
      .catch((error: unknown) =>
        log("answer.store_failed", { error: error instanceof Error ? error.message : "unknown" }),
      )
      .finally(() => tasks.delete(tracked));
    tasks.add(tracked);
  }

  async function endOrphan(row: GenerationRow, status: "interrupted" | "stopped"): Promise<void> {
    // The user message decides nothing here, but an answer to a message that was never
    // stored (its node died between the claim and the write) has nothing to answer.
    const question = await getMessage(db, row.replyTo);
    const usage = { promptTokens: 0, completionTokens: estimateTokens(row.body), estimated: true };
    if (!question) {
      await endGeneration(db, {
        id: row.id,
        nodeId,
        status,
        body: row.body,
        finishReason: null,
        failureCode: "no_question",
        promptTokens: 0,
        completionTokens: 0,
        usageEstimated: true,
      });
      return;
    }
    await storeAnswer(
      { id: row.id, channel: row.channel, agentId: row.agentId, replyTo: row.replyTo },
      {
        status,
        text: row.body,
        note: status === "interrupted" ? INTERRUPTED_NOTE : STOPPED_NOTE,
        finishReason: status === "stopped" ? "stop_requested" : null,
        failureCode: status === "interrupted" ? "node_lost" : null,
        usage,
      },
    );
  }

  async function endOrphans(force: boolean): Promise<void> {
    const orphans = await takeOverExpired(db, nodeId, { force });
    for (const row of orphans) {
      // Rows claimed with `force` may be this node's own only when it has none running yet.
      if (running.has(row.id)) continue;
      log("answer.taken_over", { messageId: row.id, agentId: row.agentId });
      await endOrphan(row, "interrupted");
    }
  }

  return {
    start(input) {
      if (closing) return;
      const answer: RunningAnswer = {
        id: input.id,
        channel: input.channel,
        agent: input.agent,
        replyTo: input.userMessage.id,
        text: "",
        controller: new AbortController(),
        stopRequested: false,
      };
      running.set(answer.id, answer);
      track(run(answer, input.userMessage).finally(() => running.delete(answer.id)));
    },
    stop(id) {
      const answer = running.get(id);
      if (!answer) return false;
      answer.stopRequested = true;
      answer.controller.abort();
      return true;
    },
    snapshot(id) {
      const answer = running.get(id);
      if (!answer) return null;
      return {
        channel: answer.channel,
        messageId: answer.id,
        authorId: answer.agent.id,
        replyTo: answer.replyTo,
        text: answer.text,
      };
    },
    endOrphan,
    async sweep() {
      await renewGenerations(
        db,
        nodeId,
        [...running.values()].map((a) => ({ id: a.id, body: a.text })),
      );
      if (!closing) await endOrphans(false);
    },
    recover: ({ all }) => endOrphans(all),
    get size() {
      return running.size;
    },
    async close(graceInMs = 0) {
      closing = true;
      if (graceInMs > 0 && tasks.size > 0) {
        await waitAtMost(Promise.allSettled([...tasks]), graceInMs);
      }
      shutdown.abort();
      // An agent that ignores the abort is let go by readAnswer; storing takes a moment.
      await waitAtMost(Promise.allSettled([...tasks]), ABORTED_ANSWER_WAIT_IN_MS);
    },
  };
}
