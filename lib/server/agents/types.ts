import type { AgentSummary, ChatMessage } from "../../shared/realtime/events";

/** What an agent gets for one answer. */
export interface AgentReplyInput {
  /** Earlier messages of the channel, oldest first, not including `userMessage`. */
  history: ChatMessage[];
  /** The stored user message to answer. */
  userMessage: ChatMessage;
  /** Aborted when the gateway shuts down or the reply times out; stop producing text. */
  signal: AbortSignal;
}

/**
 * A participant that answers users in a direct channel. Built-in bots need no network; a
 * remote model (e.g. an OpenAI-compatible chat completion) implements the same contract by
 * yielding the streamed content pieces of its response.
 *
 * `reply` yields text pieces in order; the gateway concatenates them. A non-streaming agent
 * (`streams: false`) yields its whole answer as one piece; a streaming one yields small
 * pieces, each of which the gateway pushes as a `message:delta` before the final
 * `message:created`. An agent may throw; the gateway then stores a short apology instead.
 */
export interface Agent extends AgentSummary {
  /** `[A-Za-z0-9_]+`: agent ids end up in channel names, which use `-` as the separator. */
  readonly id: string;
  reply(input: AgentReplyInput): AsyncIterable<string>;
}

/** The agents one gateway offers. */
export interface AgentRegistry {
  /** Public summaries, in registration order. */
  list(): AgentSummary[];
  /** The agent with this id, or null (also for non-string or malformed ids). */
  get(id: unknown): Agent | null;
}
