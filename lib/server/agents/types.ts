import type { AgentSummary, ChatMessage } from "../../shared/realtime/events";

/** What an agent gets for one answer. */
export interface AgentReplyInput {
  /** Earlier messages of the channel, oldest first, not including `userMessage`. */
  history: ChatMessage[];
  /** The stored user message to answer. */
  userMessage: ChatMessage;
  /**
   * Aborted when the person stops the answer, the node shuts down, or a watchdog gives up:
   * stop producing text and let the upstream request go (a model call passes it to `fetch`,
   * so the upstream sees its connection closed).
   */
  signal: AbortSignal;
}

/** Tokens one answer cost, as the upstream reported them or as estimated. */
export interface AgentUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the upstream sent no usage and these are estimates (about 4 characters each). */
  estimated: boolean;
}

/** How an answer ended, returned by `reply` once its last piece is yielded. */
export interface AgentOutcome {
  /** The upstream's finish reason (`stop`, `length`, …); built-in bots say `stop`. */
  finishReason: string;
  /** Absent: the runner estimates it from the texts. */
  usage?: AgentUsage;
}

/**
 * Why an answer failed, as a person and a log can read it. Every upstream fault maps to
 * one code; the message is short, in plain words, and never holds a key or a raw body.
 */
export type AgentFailureCode =
  /** 401/403: the key is missing, wrong or not allowed. */
  | "upstream_auth"
  /** 404: the model (or the endpoint) does not exist there. */
  | "upstream_not_found"
  /** 429: the upstream asks to slow down (`retryAfterMs` from its retry-after, if any). */
  | "upstream_rate_limited"
  /** 5xx or another HTTP status. */
  | "upstream_error"
  /** Refused, reset, DNS: no HTTP answer at all. */
  | "upstream_unreachable"
  /** No first token within the first-token timeout. */
  | "upstream_timeout"
  /** Tokens stopped coming for longer than the idle timeout. */
  | "upstream_stalled"
  /** A chunk that is not the protocol (bad JSON, no choices). */
  | "upstream_malformed"
  /** The stream ended without a finish reason (connection dropped, no `[DONE]`). */
  | "upstream_incomplete"
  /** Anything else an agent threw. */
  | "agent_failed";

/** Thrown by an agent's `reply` for a fault it can name. */
export class AgentError extends Error {
  readonly code: AgentFailureCode;
  /** With `upstream_rate_limited`: how long the upstream asked to wait. */
  readonly retryAfterMs?: number;
  /** The upstream's HTTP status, when there was one (logs only). */
  readonly status?: number;

  constructor(
    code: AgentFailureCode,
    message: string,
    details: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "AgentError";
    this.code = code;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
  }
}

/** Per-agent entitlements (docs/design.md, limits); absent: only the node's daily caps. */
export interface AgentLimits {
  guestMessagesPerDay?: number;
  memberMessagesPerDay?: number;
  /**
   * What all guests from one address may send this agent in a day, so that minting new
   * guests does not reset the allowance. Default: `guestMessagesPerDay`.
   */
  guestMessagesPerAddressPerDay?: number;
}

/**
 * A participant that answers users in a direct channel. Built-in bots need no network; a
 * model behind an OpenAI-compatible endpoint implements the same contract by yielding the
 * content pieces of its streamed response.
 *
 * `reply` yields text pieces in order (the runner appends them and pushes what is new) and
 * returns how the answer ended. It throws an `AgentError` for a fault it can name; anything
 * else it throws is `agent_failed`. It must stop soon after `input.signal` aborts.
 */
export interface Agent extends AgentSummary {
  /** `[A-Za-z0-9_]+`: agent ids end up in channel names, which use `-` as the separator. */
  readonly id: string;
  readonly limits?: AgentLimits;
  // biome-ignore lint/suspicious/noConfusingVoidType: a generator that returns nothing is `void`.
  reply(input: AgentReplyInput): AsyncGenerator<string, AgentOutcome | void, undefined>;
}

/** The agents one gateway offers. */
export interface AgentRegistry {
  /** Public summaries, in registration order. */
  list(): AgentSummary[];
  /** The agent with this id, or null (also for non-string or malformed ids). */
  get(id: unknown): Agent | null;
}
