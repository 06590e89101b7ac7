/**
 * An agent answered by a model behind an OpenAI-compatible `/chat/completions` endpoint
 * (Ollama, llama.cpp's server, vLLM, OpenAI itself), streamed through the official `openai`
 * client. docs/agents.md says what each failure looks like to a visitor.
 */
import OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { CallWatchdog } from "./call-watchdog";
import { toChatMessages } from "./chat-messages";
import {
  DEFAULT_FIRST_TOKEN_MS,
  DEFAULT_IDLE_MS,
  type OpenAICompatibleAgentConfig,
} from "./config-schema";
import type { Agent, AgentOutcome, AgentReplyInput, AgentUsage } from "./types";
import {
  toIncompleteError,
  toMalformedError,
  toRateLimitedError,
  toRequestFault,
  toStreamFault,
  toWatchdogError,
} from "./upstream-faults";

/** Environment variables as the agent reads them: `process.env`, or a plain object in tests. */
export type AgentEnv = Readonly<Record<string, string | undefined>>;

/**
 * What the client holds as its key when Foyer has none (it insists on one). It is never
 * sent: without a key the Authorization header is removed.
 */
const NO_KEY = "no-key-configured";

/** What one streamed chunk holds for Foyer; null for a chunk that is not the protocol. */
interface ChunkParts {
  content: string;
  finishReason: string | null;
  usage: AgentUsage | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parts of a chunk Foyer uses; null when it has no `choices` array. */
function toChunkParts(chunk: unknown): ChunkParts | null {
  if (!isRecord(chunk) || !Array.isArray(chunk.choices)) return null;
  const choice: unknown = chunk.choices[0];
  const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta : {};
  const finish = isRecord(choice) ? choice.finish_reason : null;
  const usage = isRecord(chunk.usage) ? chunk.usage : null;
  const prompt = usage?.prompt_tokens;
  const completion = usage?.completion_tokens;
  return {
    content: typeof delta.content === "string" ? delta.content : "",
    finishReason: typeof finish === "string" && finish !== "" ? finish : null,
    usage:
      typeof prompt === "number" && typeof completion === "number"
        ? { promptTokens: prompt, completionTokens: completion, estimated: false }
        : undefined,
  };
}

/**
 * The agent `config` describes, reading its key from `env[config.provider.apiKeyEnv]` (no
 * variable named, or an empty one: no Authorization header at all). Each `reply` is one
 * streamed request with no retries; see `Agent` for the contract.
 */
export function createOpenAICompatibleAgent(
  config: OpenAICompatibleAgentConfig,
  env: AgentEnv,
): Agent {
  const { provider } = config;
  const apiKey = (provider.apiKeyEnv && env[provider.apiKeyEnv]) || undefined;
  const client = new OpenAI({
    baseURL: provider.baseURL,
    apiKey: apiKey ?? NO_KEY,
    defaultHeaders: apiKey ? undefined : { Authorization: null },
    // Only what the file says goes out: not the OPENAI_* variables the client would read.
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    // The client logs an unparsable chunk raw to the console; Foyer reports it as an error.
    logLevel: "off",
  });
  const firstTokenMs = provider.timeouts?.firstTokenMs ?? DEFAULT_FIRST_TOKEN_MS;
  const idleMs = provider.timeouts?.idleMs ?? DEFAULT_IDLE_MS;
  const { extra, ...params } = config.params ?? {};
  /** After a 429 with a retry-after: no request before this time (ms since the epoch). */
  let quietUntil = 0;

  function toRequest(input: AgentReplyInput): ChatCompletionCreateParamsStreaming {
    return {
      ...(extra as Record<string, never> | undefined),
      ...params,
      model: provider.model,
      messages: toChatMessages(config.system, input.history, input.userMessage),
      stream: true,
      ...(provider.streamUsage === false ? {} : { stream_options: { include_usage: true } }),
    };
  }

  async function* reply(input: AgentReplyInput): AsyncGenerator<string, AgentOutcome | undefined> {
    if (input.signal.aborted) return undefined;
    const wait = quietUntil - Date.now();
    if (wait > 0) throw toRateLimitedError(wait);

    const call = new CallWatchdog(input.signal);
    let completed = false;
    /** The error for a call the watchdog stopped; null when the person stopped it. */
    const stoppedError = () =>
      call.reason === "stopped" || call.reason === null ? null : toWatchdogError(call.reason);
    try {
      call.arm(firstTokenMs, "upstream_timeout");
      let stream: AsyncIterable<unknown>;
      try {
        stream = await client.chat.completions.create(toRequest(input), { signal: call.signal });
      } catch (error) {
        if (call.reason !== null) {
          const stopped = stoppedError();
          if (stopped) throw stopped;
          return undefined;
        }
        const fault = toRequestFault(error, apiKey !== undefined);
        if (fault.code === "upstream_rate_limited" && fault.retryAfterMs !== undefined) {
          quietUntil = Math.max(quietUntil, Date.now() + fault.retryAfterMs);
        }
        throw fault;
      }

      const chunks = stream[Symbol.asyncIterator]();
      let finishReason: string | null = null;
      let usage: AgentUsage | undefined;
      for (let first = true; ; first = false) {
        // The first chunk is still under the first-token deadline; each later one, the idle one.
        if (!first) call.arm(idleMs, "upstream_stalled");
        let next: IteratorResult<unknown>;
        try {
          next = await chunks.next();
        } catch (error) {
          if (call.reason === null) throw toStreamFault(error);
          next = { done: true, value: undefined };
        }
        call.disarm();
        if (call.reason !== null) {
          const stopped = stoppedError();
          if (stopped) throw stopped;
          return undefined;
        }
        if (next.done) break;
        const parts = toChunkParts(next.value);
        if (parts === null) throw toMalformedError();
        finishReason = parts.finishReason ?? finishReason;
        usage = parts.usage ?? usage;
        if (parts.content !== "") {
          yield parts.content;
          if (input.signal.aborted) return undefined;
        }
      }
      if (finishReason === null) throw toIncompleteError();
      completed = true;
      return usage ? { finishReason, usage } : { finishReason };
    } finally {
      // Also when the consumer stops pulling (`return()`): the upstream sees its request closed.
      call.dispose(completed);
    }
  }

  return {
    id: config.id,
    name: config.name,
    description: config.description ?? "",
    streams: true,
    suggestions: [...(config.suggestions ?? [])],
    limits: config.limits,
    reply,
  };
}
