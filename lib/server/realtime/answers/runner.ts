import { parseChannel } from "../../../shared/realtime/channels";
import type {
  AnswerStatus,
  ChatMessage,
  GenerationSnapshot,
} from "../../../shared/realtime/events";
import { toStorableText } from "../../../shared/text";
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

/** Why an answer was told to end before its agent finished. */
type EndReason = "stop" | "shutdown" | "timeout" | "lost";

/** One answer this node is writing. */
interface RunningAnswer {
  id: string;
  /** Where it lands: a merge during the answer moves it to the member's channel. */
  channel: string;
  agent: Agent;
  replyTo: string;
  text: string;
  /** A high surrogate held back until the next piece brings its pair. */
  held: string;
  /** How much of `text` the row holds (the last renewal). */
  saved: number;
  controller: AbortController;
  reason: EndReason | null;
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
 * The history an agent reads: no answer a fault cut off (failed, interrupted), and of a
 * question answered several times (regenerated) only the newest answer that stands, so the
 * model neither sees itself answer twice nor loses the answer a failed retry followed.
 */
export function toLatestVersions(history: readonly ChatMessage[]): ChatMessage[] {
  const standing = history.filter(
    (m) => m.authorKind !== "agent" || (m.status !== "failed" && m.status !== "interrupted"),
  );
  const newest = new Map<string, string>();
  for (const message of standing) {
    if (message.authorKind === "agent" && message.replyTo) newest.set(message.replyTo, message.id);
  }
  return standing.filter(
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
  let onAbort = () => {};
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    if (signal.aborted) resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await readUntilAborted(iterator, aborted, onPiece);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

async function readUntilAborted(
  // biome-ignore lint/suspicious/noConfusingVoidType: the agent contract's return type.
  iterator: AsyncGenerator<string, AgentOutcome | void, undefined>,
  aborted: Promise<"aborted">,
  onPiece: (piece: string) => boolean,
): Promise<AgentOutcome | undefined> {
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

/** Sweeps take over orphans in batches of this many, for at most this long each. */
const ORPHAN_BATCH = 50;
const ORPHAN_SWEEP_BUDGET_IN_MS = 2_000;

/**
 * Appends an agent's piece to the answer as it can be stored: no NUL (PostgreSQL text cannot
 * hold one), no broken UTF-16 (a surrogate pair split across two pieces is joined again; a
 * lone one becomes U+FFFD), at most `ANSWER_MAX_LENGTH` characters. Returns what was added.
 */
export function appendPiece(answer: Pick<RunningAnswer, "text" | "held">, piece: string): string {
  let next = answer.held + piece;
  answer.held = "";
  const last = next.charCodeAt(next.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    answer.held = next.slice(-1);
    next = next.slice(0, -1);
  }
  let kept = toStorableText(next);
  const room = ANSWER_MAX_LENGTH - answer.text.length;
  if (kept.length > room) {
    kept = kept.slice(0, room);
    // The cut must not leave half a pair at the end.
    const end = kept.charCodeAt(kept.length - 1);
    if (end >= 0xd800 && end <= 0xdbff) kept = kept.slice(0, -1);
    answer.held = "";
  }
  answer.text += kept;
  return kept;
}

export function createAnswerRunner(deps: AnswerRunnerDeps): AnswerRunner {
  const { io, db, log, nodeId } = deps;
  const running = new Map<string, RunningAnswer>();
  const tasks = new Set<Promise<void>>();
  let closing = false;

  /**
   * Stores the answer once (its generation id is its message key, so a second store, by a
   * node that took it over meanwhile, returns the first) and pushes it, then ends the row as
   * the stored message says.
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
      status: message.status ?? end.status,
      body: message.body,
      finishReason: created ? end.finishReason : null,
      failureCode: created ? end.failureCode : null,
      promptTokens: end.usage.promptTokens,
      completionTokens: end.usage.completionTokens,
      usageEstimated: end.usage.estimated,
    });
    if (!created) return;
    const landed = parseChannel(message.channel);
    if (landed) toChannelAudience(io, landed).emit("message:created", message);
  }

  function toEnd(
    answer: RunningAnswer,
    outcome: AgentOutcome | undefined,
    failure: AgentError | null,
    usage: AgentUsage,
  ): AnswerEnd {
    const text = answer.text;
    const base = { text, usage, finishReason: null, failureCode: null, note: null };
    switch (answer.reason) {
      case "stop":
        return { ...base, status: "stopped", finishReason: "stop_requested" };
      case "shutdown":
        return {
          ...base,
          status: "interrupted",
          note: INTERRUPTED_NOTE,
          failureCode: "node_shutdown",
        };
      case "timeout":
        return { ...base, status: "failed", note: TIMEOUT_NOTE, failureCode: "answer_timeout" };
      default:
        break;
    }
    if (failure) {
      log("answer.failed", {
        messageId: answer.id,
        agentId: answer.agent.id,
        code: failure.code,
        status: failure.status,
      });
      return { ...base, status: "failed", note: failure.message, failureCode: failure.code };
    }
    if (text.trim() === "") {
      return {
        ...base,
        status: "failed",
        note: EMPTY_NOTE,
        finishReason: outcome?.finishReason ?? null,
        failureCode: "empty_answer",
      };
    }
    return { ...base, status: "complete", finishReason: outcome?.finishReason ?? "stop" };
  }

  async function run(answer: RunningAnswer, userMessage: ChatMessage): Promise<void> {
    const coalescer = createCoalescer({
      windowInMs: deps.pushWindowInMs ?? PUSH_WINDOW_IN_MS,
      // A bot that answers in one piece has nothing to show before its message. Only the
      // first push says where the answer belongs: later ones are its id, offset and text
      // (docs/benchmarks.md, B12), and a tab that missed the first asks for a snapshot.
      emit: (offset, text) => {
        const direct = parseChannel(answer.channel);
        if (!answer.agent.streams || !direct || answer.reason === "lost") return;
        toChannelAudience(io, direct).emit(
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
        );
      },
    });
    const timer = setTimeout(() => end(answer, "timeout"), ANSWER_TIMEOUT_IN_MS);
    const { signal } = answer.controller;
    let outcome: AgentOutcome | undefined;
    let failure: AgentError | null = null;
    let history: ChatMessage[] = [];
    try {
      history = toLatestVersions(
        await listMessagesBefore(db, answer.channel, userMessage.seq, AGENT_HISTORY_LIMIT),
      );
      outcome = await readAnswer(
        answer.agent.reply({ history, userMessage, signal }),
        signal,
        (piece) => {
          coalescer.push(appendPiece(answer, piece));
          return answer.text.length < ANSWER_MAX_LENGTH;
        },
      );
    } catch (error) {
      failure =
        error instanceof AgentError
          ? error
          : new AgentError("agent_failed", FAILED_NOTE, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    // A high surrogate left at the end never got its pair.
    if (answer.held !== "") {
      answer.held = "";
      coalescer.push(appendPiece(answer, "\uFFFD"));
    }
    coalescer.flush();
    // Another node took this answer over (this one stopped renewing it in time): that node
    // stored it, so this one pushes and stores nothing more.
    if (answer.reason === "lost") return;
    const prompt = [...history, userMessage].reduce((n, m) => n + estimateTokens(m.body), 0);
    const usage: AgentUsage = outcome?.usage ?? {
      promptTokens: prompt,
      completionTokens: estimateTokens(answer.text),
      estimated: true,
    };
    await storeAnswer(
      { id: answer.id, channel: answer.channel, agentId: answer.agent.id, replyTo: answer.replyTo },
      toEnd(answer, outcome, failure, usage),
    );
  }

  /** Tells a running answer to end (the first reason wins). */
  function end(answer: RunningAnswer, reason: EndReason): void {
    answer.reason ??= reason;
    answer.controller.abort();
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
    // An answer to a message that was never stored (its node died between the claim and the
    // write) has nothing to answer: the row ends, no message is stored.
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

  /** Ends the orphans a sweep finds, a batch at a time, for at most the sweep's budget. */
  async function endOrphans(force: boolean): Promise<void> {
    const deadline = performance.now() + ORPHAN_SWEEP_BUDGET_IN_MS;
    for (;;) {
      const orphans = await takeOverExpired(db, nodeId, { force, limit: ORPHAN_BATCH });
      await Promise.all(
        orphans
          // Rows claimed with `force` may be this node's own only when it has none running.
          .filter((row) => !running.has(row.id))
          .map(async (row) => {
            log("answer.taken_over", { messageId: row.id, agentId: row.agentId });
            await endOrphan(row, "interrupted").catch((error: unknown) =>
              log("answer.store_failed", {
                error: error instanceof Error ? error.message : "unknown",
              }),
            );
          }),
      );
      if (orphans.length < ORPHAN_BATCH || performance.now() > deadline) return;
    }
  }

  /**
   * Renews this node's leases, saving the text of the answers that grew. An answer the store
   * no longer gives this node (a sweep elsewhere took it over) is let go: it pushes and stores
   * nothing more. One a merge moved follows its new channel.
   */
  async function renew(): Promise<void> {
    const answers = [...running.values()];
    if (answers.length === 0) return;
    const renewed = await renewGenerations(
      db,
      nodeId,
      answers.map((a) => ({ id: a.id, body: a.text.length === a.saved ? null : a.text })),
    );
    for (const answer of answers) {
      const channel = renewed.get(answer.id);
      if (channel === undefined) {
        log("answer.lost", { messageId: answer.id, agentId: answer.agent.id });
        end(answer, "lost");
        continue;
      }
      answer.saved = answer.text.length;
      answer.channel = channel;
    }
  }

  return {
    start(input) {
      const answer: RunningAnswer = {
        id: input.id,
        channel: input.channel,
        agent: input.agent,
        replyTo: input.userMessage.id,
        text: "",
        held: "",
        saved: 0,
        controller: new AbortController(),
        reason: null,
      };
      // A send that outlasted the drain: its answer is stored interrupted now (Retry asks
      // again on another node), rather than left for a sweep that may never come.
      if (closing) {
        track(
          storeAnswer(
            {
              id: answer.id,
              channel: answer.channel,
              agentId: answer.agent.id,
              replyTo: answer.replyTo,
            },
            {
              status: "interrupted",
              text: "",
              note: INTERRUPTED_NOTE,
              finishReason: null,
              failureCode: "node_shutdown",
              usage: { promptTokens: 0, completionTokens: 0, estimated: true },
            },
          ),
        );
        return;
      }
      running.set(answer.id, answer);
      track(run(answer, input.userMessage).finally(() => running.delete(answer.id)));
    },
    stop(id) {
      const answer = running.get(id);
      if (!answer) return false;
      end(answer, "stop");
      return true;
    },
    snapshot(id) {
      const answer = running.get(id);
      if (!answer || answer.reason === "lost") return null;
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
      await renew();
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
      for (const answer of running.values()) end(answer, "shutdown");
      // An agent that ignores the abort is let go by readAnswer; storing takes a moment.
      await waitAtMost(Promise.allSettled([...tasks]), ABORTED_ANSWER_WAIT_IN_MS);
    },
  };
}
