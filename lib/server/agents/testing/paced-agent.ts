import { pause } from "../pause";
import type { Agent, AgentOutcome, AgentReplyInput } from "../types";

/**
 * A test agent that streams `count` tokens at a fixed pace ("tok0 tok1 …"): the first after
 * `firstMs`, then one every `gapMs`. The text is deterministic, so a test knows every
 * answer's final body ({@link toPacedText}) and can tell a prefix of it from anything else;
 * it stops promptly when `input.signal` aborts and counts that it did.
 */
export const PACED_AGENT_ID = "paced";

export interface PacedAgentOptions {
  /** @default PACED_AGENT_ID */
  id?: string;
  /** Tokens in a whole answer. */
  count: number;
  /** Pause before the first token. */
  firstMs: number;
  /** Pause before each later token. */
  gapMs: number;
}

export interface PacedAgent extends Agent {
  /** Answers begun. */
  readonly started: number;
  /** Answers that ended because their signal aborted (a stop, a shutdown). */
  readonly aborted: number;
  /** Resolves once `n` answers (default 1) ended on an abort. */
  whenAborted(n?: number): Promise<void>;
}

/** Piece `i` of an answer: "tok0", then " tok1", " tok2", … */
export function toPacedPiece(i: number): string {
  return i === 0 ? "tok0" : ` tok${i}`;
}

/** The text of the first `count` pieces: a whole answer of a `count`-token paced agent. */
export function toPacedText(count: number): string {
  return Array.from({ length: count }, (_, i) => `tok${i}`).join(" ");
}

export function createPacedAgent(options: PacedAgentOptions): PacedAgent {
  let started = 0;
  let aborted = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const recordAbort = () => {
    aborted += 1;
    for (const w of waiting.filter((w) => w.n <= aborted)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    id: options.id ?? PACED_AGENT_ID,
    name: "Paced",
    description: "Streams numbered tokens at a fixed pace (tests only).",
    streams: true,
    suggestions: [],
    get started() {
      return started;
    },
    get aborted() {
      return aborted;
    },
    whenAborted(n = 1) {
      if (aborted >= n) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.push({ n, resolve }));
    },
    async *reply(
      input: AgentReplyInput,
    ): AsyncGenerator<string, AgentOutcome | undefined, undefined> {
      const { signal } = input;
      started += 1;
      try {
        for (let i = 0; i < options.count; i++) {
          await pause(i === 0 ? options.firstMs : options.gapMs, signal);
          if (signal.aborted) return undefined;
          yield toPacedPiece(i);
        }
        return {
          finishReason: "stop",
          usage: {
            promptTokens: Math.ceil(input.userMessage.body.length / 4),
            completionTokens: options.count,
            estimated: false,
          },
        };
      } finally {
        // Ended by its signal: returned early above, or closed by the runner at a yield.
        if (signal.aborted) recordAbort();
      }
    },
  };
}
