/**
 * How a benchmark tells the fake upstream what to stream: the user message it sends (through
 * Foyer, or straight to the upstream) names a tag and the answer's shape, and the upstream
 * (`bench/servers/upstream.ts`) streams exactly that. The tag joins what the client received
 * with what the upstream wrote.
 */
/** The agent of a bench node started with a model upstream (`startFoyer` `modelBaseURL`). */
export const MODEL_AGENT_ID = "model";

export interface AnswerScript {
  /** Unique per answer in a run: `[A-Za-z0-9_]+`. */
  tag: string;
  /** How many tokens the answer has (`createAnswerTokens`). */
  tokens: number;
  /** From the request to the first token. */
  firstTokenMs: number;
  /** Between two tokens. */
  gapMs: number;
}

/** What the upstream wrote for one answer, on CLOCK_MONOTONIC (`monoMs`). */
export interface UpstreamRecord {
  tag: string;
  /** When the request's body had arrived. */
  receivedAt: number;
  /** The response body's bytes as the upstream wrote them (the whole SSE stream). */
  bodyBytes: number;
  /** When each token's chunk was written, in order. */
  tokenWrittenAt: number[];
  /** False when the client hung up before the end. */
  complete: boolean;
}

const PATTERN = /bench-answer tag=(\w+) tokens=(\d+) first=(\d+) gap=(\d+)/;

/** The user message that asks for `script`. */
export function toScriptText(script: AnswerScript): string {
  return `bench-answer tag=${script.tag} tokens=${script.tokens} first=${script.firstTokenMs} gap=${script.gapMs}`;
}

/** The script a user message asks for, or null. */
export function parseAnswerScript(text: string): AnswerScript | null {
  const match = PATTERN.exec(text);
  if (!match) return null;
  return {
    tag: match[1] as string,
    tokens: Number(match[2]),
    firstTokenMs: Number(match[3]),
    gapMs: Number(match[4]),
  };
}

let tagSequence = 0;

/** A tag no other answer of this bench process has. */
export function nextTag(prefix: string): string {
  tagSequence += 1;
  return `${prefix}_${process.pid}_${tagSequence}`;
}

/** The character offsets where each token ends, for tokens joined in order. */
export function toTokenEnds(tokens: readonly string[]): number[] {
  const ends: number[] = [];
  let end = 0;
  for (const token of tokens) {
    end += token.length;
    ends.push(end);
  }
  return ends;
}
