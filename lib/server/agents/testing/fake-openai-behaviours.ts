/**
 * What the fake OpenAI server (fake-openai-server.ts) does with one chat completion: the
 * scripted behaviours, the marker a person can type to pick one (`[fake:slow]`), and the
 * token lists it streams.
 */

/** One scripted way to answer `POST /v1/chat/completions`. */
export type FakeBehaviour =
  /**
   * A whole answer: `tokens` (default `DEFAULT_ANSWER_TOKENS`), the first after
   * `firstTokenDelayMs`, the others `tokenDelayMs` apart (both default 0), then a chunk with
   * `finishReason` (default "stop"), a usage chunk and `[DONE]`. `usage`: true or false
   * sends the usage chunk or not whatever was asked; unset, only when the request asked
   * (`stream_options.include_usage`).
   */
  | {
      kind: "normal";
      tokens?: string[];
      firstTokenDelayMs?: number;
      tokenDelayMs?: number;
      usage?: boolean;
      finishReason?: string;
    }
  /** `afterTokens` tokens (default 3), then the server destroys the socket. */
  | { kind: "disconnect"; afterTokens?: number }
  /**
   * An HTTP error in OpenAI's shape (`{error: {message, type, code}}`); a 401 body echoes
   * the Authorization it got, as real services half do, so tests can prove it goes no further.
   * `retryAfterSeconds` / `retryAfterMs` set the `retry-after` / `retry-after-ms` headers.
   */
  | { kind: "status"; status: number; retryAfterSeconds?: number; retryAfterMs?: number }
  /** 200 and the SSE headers, then nothing until the client gives up. */
  | { kind: "hang" }
  /** `afterTokens` tokens (default 3), then nothing: the response stays open. */
  | { kind: "stall"; afterTokens?: number }
  /**
   * `afterTokens` tokens (default 2), then `data: <chunk>` (default `{not json`, also a chunk
   * with no `choices`), then the rest of a normal ending.
   */
  | { kind: "malformed"; afterTokens?: number; chunk?: string }
  /** `afterTokens` tokens (default 2), then `data: {"error": …}`, as a service failing mid-answer. */
  | { kind: "stream-error"; afterTokens?: number }
  /** The tokens (default `DEFAULT_ANSWER_TOKENS`), then the response ends: no finish reason, no `[DONE]`. */
  | { kind: "no-done"; tokens?: string[] };

/** The answer the fake streams unless told otherwise: markdown with a list, code and a link. */
export const DEFAULT_ANSWER = [
  "Here is an answer from the **fake model**:",
  "",
  "- a list item",
  "- another item, with `inline code`",
  "",
  "```ts",
  'const greeting: string = "hello";',
  "console.info(greeting);",
  "```",
  "",
  "More in [the API reference](https://platform.openai.com/docs/api-reference/chat).",
].join("\n");

/** `text` cut into tokens the way a model streams them: each word with the space before it. */
export function toTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** `DEFAULT_ANSWER` as the tokens the fake streams; joined, they are `DEFAULT_ANSWER`. */
export const DEFAULT_ANSWER_TOKENS: readonly string[] = toTokens(DEFAULT_ANSWER);

const FILLER_WORDS = [
  "the",
  "lamp",
  "in",
  "foyer",
  "glows",
  "while",
  "guests",
  "arrive",
  "and",
  "every",
  "door",
  "remembers",
  "a",
  "kind",
  "word",
  "from",
  "someone",
  "who",
  "waited",
  "patiently",
];
/** A paragraph break every this many tokens, so a long answer reads like text. */
const TOKENS_PER_PARAGRAPH = 40;

/**
 * Exactly `count` tokens of plain prose (deterministic), for answers of a known length: a
 * benchmark's 200- and 2,000-token answers.
 */
export function createAnswerTokens(count: number): string[] {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = FILLER_WORDS[i % FILLER_WORDS.length] as string;
    if (i === 0) tokens.push(word.charAt(0).toUpperCase() + word.slice(1));
    else if (i % TOKENS_PER_PARAGRAPH === 0) tokens.push(`.\n\n${word}`);
    else tokens.push(` ${word}`);
  }
  return tokens;
}

/** `[fake:slow]` without numbers: time to the first token, and between tokens. */
export const SLOW_DEFAULTS = { firstTokenDelayMs: 200, tokenDelayMs: 50 } as const;
/** `[fake:429]` without a number: the `retry-after` it sends, in seconds. */
export const RATE_LIMIT_DEFAULT_SECONDS = 20;

const MARKER = /\[fake:([a-z0-9-]+)((?::\d+)*)\]/i;

/**
 * The behaviour a marker in `text` asks for, or null when it holds none (or an unknown one):
 * `[fake:normal]`, `[fake:slow]` / `[fake:slow:FIRST_MS:GAP_MS]`, `[fake:tokens:COUNT]` /
 * `[fake:tokens:COUNT:GAP_MS]`, `[fake:no-usage]`, `[fake:disconnect:N]`, `[fake:STATUS]`
 * (400–599) / `[fake:429:SECONDS]`, `[fake:hang]`, `[fake:stall:N]`, `[fake:malformed:N]`,
 * `[fake:no-choices:N]`, `[fake:stream-error:N]`, `[fake:no-done]` (N: tokens before the fault),
 * `[fake:echo]` (the message itself, without the marker, as the answer: a test writes what
 * the model says, raw HTML included).
 */
export function toMarkedBehaviour(text: string): FakeBehaviour | null {
  const match = MARKER.exec(text);
  if (!match) return null;
  const name = (match[1] ?? "").toLowerCase();
  const numbers = (match[2] ?? "").split(":").filter(Boolean).map(Number);
  const [first, second] = numbers;
  if (/^[45]\d\d$/.test(name)) {
    const status = Number(name);
    const seconds = status === 429 ? (first ?? RATE_LIMIT_DEFAULT_SECONDS) : undefined;
    return { kind: "status", status, retryAfterSeconds: seconds };
  }
  switch (name) {
    case "normal":
      return { kind: "normal" };
    case "slow":
      return {
        kind: "normal",
        firstTokenDelayMs: first ?? SLOW_DEFAULTS.firstTokenDelayMs,
        tokenDelayMs: second ?? SLOW_DEFAULTS.tokenDelayMs,
      };
    case "tokens":
      return { kind: "normal", tokens: createAnswerTokens(first ?? 200), tokenDelayMs: second };
    case "no-usage":
      return { kind: "normal", usage: false };
    case "disconnect":
      return { kind: "disconnect", afterTokens: first };
    case "hang":
      return { kind: "hang" };
    case "stall":
      return { kind: "stall", afterTokens: first };
    case "malformed":
      return { kind: "malformed", afterTokens: first };
    case "no-choices":
      return { kind: "malformed", afterTokens: first, chunk: NO_CHOICES_CHUNK };
    case "stream-error":
      return { kind: "stream-error", afterTokens: first };
    case "no-done":
      return { kind: "no-done" };
    case "echo":
      return { kind: "normal", tokens: toTokens(text.replace(MARKER, "").trim()) };
    default:
      return null;
  }
}

/** A chunk that parses but is not the protocol: it has no `choices`. */
export const NO_CHOICES_CHUNK = JSON.stringify({ id: "chatcmpl-fake", object: "chunk" });
