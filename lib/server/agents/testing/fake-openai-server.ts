/**
 * A real HTTP server on loopback that speaks enough of OpenAI's API for Foyer's tests:
 * `POST /v1/chat/completions` (streamed as server-sent events, or whole) and `GET /v1/models`.
 * Each chat completion follows a scripted behaviour (fake-openai-behaviours.ts), picked by a
 * marker in the last user message (`[fake:slow]`) or else by `behaviourFor`, and every
 * request is recorded, down to whether the client hung up before the answer ended.
 *
 * Run directly, it is a stand-alone fake for end-to-end tests:
 * `FAKE_OPENAI_PORT=4010 node --import tsx lib/server/agents/testing/fake-openai-server.ts`
 * prints `fake-openai listening on http://127.0.0.1:4010/v1`, and then also answers
 * `GET /__requests` with its records (a browser test's view of what reached the model).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { pause } from "../pause";
import {
  DEFAULT_ANSWER_TOKENS,
  type FakeBehaviour,
  toMarkedBehaviour,
} from "./fake-openai-behaviours";

/** One message of a chat completion request, as the client sent it. */
export interface FakeChatMessage {
  role?: string;
  content?: unknown;
}

/** The parsed JSON body of a request (not validated: tests look at what really came). */
export interface FakeRequestBody {
  model?: string;
  messages?: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [param: string]: unknown;
}

/** What the fake saw of one request, and when its answer started and ended. */
export interface FakeOpenAIRequest {
  method: string;
  /** The path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The parsed body; null without one or when it was not JSON. */
  body: FakeRequestBody | null;
  /** Whether an Authorization header came. */
  hasAuthorization: boolean;
  /** Its value (e.g. `Bearer sk-…`), null without one. Tests compare it; nothing logs it. */
  authorization: string | null;
  /** The behaviour a chat completion followed; null for other requests. */
  behaviour: FakeBehaviour | null;
  /** `Date.now()` when the request's body had arrived. */
  receivedAt: number;
  /** When the first byte of the response body was written; null before (headers do not count). */
  firstByteAt: number | null;
  /** When the server ended the response (or destroyed its socket); null while open. */
  endedAt: number | null;
  /** When the client closed the connection before the server ended the response; else null. */
  closedByClientAt: number | null;
  /** Bytes of the response body written so far (UTF-8, as written: no chunked framing). */
  bodyBytes: number;
  /**
   * When each streamed token's chunk was written, on the fake's `now` clock (one entry per
   * token, in order): what a benchmark compares with when the token reached a client.
   */
  tokenWrittenAt: number[];
}

/** How to start the fake. */
export interface FakeOpenAIOptions {
  /** Default 0: a free port. */
  port?: number;
  /**
   * The behaviour of a chat completion whose last user message holds no `[fake:…]` marker
   * (a marker wins). Default: a normal answer.
   */
  behaviourFor?: (request: FakeOpenAIRequest) => FakeBehaviour;
  /** What `GET /v1/models` lists. Default `["fake-model"]`. */
  models?: string[];
  /**
   * Test-only: also answer `GET /__requests` (`FAKE_RECORDS_PATH`) with every record so far,
   * as JSON (`FakeOpenAIRequestRecord[]`), for tests in another process. Default false; the
   * CLI turns it on. The fake listens on loopback only.
   */
  servesRecords?: boolean;
  /**
   * The clock of `tokenWrittenAt`. Default `performance.now()`; a benchmark running the
   * fake in a process of its own passes a clock every process shares (CLOCK_MONOTONIC).
   */
  now?: () => number;
}

/** Where a fake started with `servesRecords` lists its records; not itself recorded. */
export const FAKE_RECORDS_PATH = "/__requests";

/** A record as `GET /__requests` lists it: all of it but the Authorization header's value. */
export type FakeOpenAIRequestRecord = Omit<FakeOpenAIRequest, "authorization">;

/** A running fake. */
export interface FakeOpenAI {
  /** The base URL a client is configured with: `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** Every request so far, oldest first (live: it grows as requests come). */
  requests: FakeOpenAIRequest[];
  /** The `n`th request (1-based) once it has come; rejects after `timeoutMs` (default 5000). */
  waitForRequest(n: number, timeoutMs?: number): Promise<FakeOpenAIRequest>;
  /** Destroys every open connection and stops listening. */
  close(): Promise<void>;
}

/** Unpaced tokens written in one turn of the event loop. */
const UNPACED_TOKENS_PER_TURN = 16;

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
};

/** The text of the last user message in `body` (string content or text parts), else "". */
export function toLastUserText(body: FakeRequestBody | null): string {
  const users = (body?.messages ?? []).filter((message) => message?.role === "user");
  const content = users.at(-1)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && "text" in part ? String(part.text) : "",
    )
    .join("");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string): FakeRequestBody | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as FakeRequestBody)
      : null;
  } catch {
    return null;
  }
}

/** About four characters a token, as the fake's usage numbers. */
function estimatePromptTokens(body: FakeRequestBody | null): number {
  const characters = (body?.messages ?? []).reduce(
    (sum, message) => sum + JSON.stringify(message?.content ?? "").length,
    0,
  );
  return Math.ceil(characters / 4);
}

/** Writes one answer; `gone` aborts when the response is over (ended, destroyed, hung up). */
class AnswerWriter {
  private readonly id = `chatcmpl-fake-${Math.random().toString(36).slice(2, 10)}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private sentRole = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly record: FakeOpenAIRequest,
    readonly gone: AbortSignal,
    private readonly now: () => number,
  ) {}

  private get model(): string {
    return this.record.body?.model ?? "fake-model";
  }

  private write(text: string): void {
    if (this.gone.aborted) return;
    this.record.firstByteAt ??= Date.now();
    this.record.bodyBytes += Buffer.byteLength(text);
    this.res.write(text);
  }

  startStream(): void {
    this.res.writeHead(200, SSE_HEADERS);
    this.res.flushHeaders();
  }

  data(payload: string): void {
    this.write(`data: ${payload}\n\n`);
  }

  chunk(choices: unknown[], extra: Record<string, unknown> = {}): void {
    const base = { id: this.id, object: "chat.completion.chunk", created: this.created };
    this.data(JSON.stringify({ ...base, model: this.model, choices, ...extra }));
  }

  token(content: string): void {
    const delta = this.sentRole ? { content } : { role: "assistant", content };
    this.sentRole = true;
    this.chunk([{ index: 0, delta, finish_reason: null }]);
    this.record.tokenWrittenAt.push(this.now());
  }

  /**
   * The tokens, paced; false when the response went away before they were all written.
   * Unpaced, it still lets the event loop turn every few tokens, as a server streaming
   * them would, so a client in the same process reads the first ones before the last exist.
   */
  async tokens(tokens: readonly string[], firstDelayMs = 0, gapMs = 0): Promise<boolean> {
    for (const [i, token] of tokens.entries()) {
      const delayMs = i === 0 ? firstDelayMs : gapMs;
      if (delayMs > 0) await pause(delayMs, this.gone);
      else if (i % UNPACED_TOKENS_PER_TURN === 0) await new Promise(setImmediate);
      if (this.gone.aborted) return false;
      this.token(token);
    }
    return !this.gone.aborted;
  }

  finish(reason: string, usage: { completionTokens: number } | null): void {
    this.chunk([{ index: 0, delta: {}, finish_reason: reason }]);
    if (usage) {
      const prompt = estimatePromptTokens(this.record.body);
      this.chunk([], {
        usage: {
          prompt_tokens: prompt,
          completion_tokens: usage.completionTokens,
          total_tokens: prompt + usage.completionTokens,
        },
      });
    }
    this.data("[DONE]");
    this.end();
  }

  end(): void {
    if (this.gone.aborted) return;
    this.record.endedAt = Date.now();
    this.res.end();
  }

  destroy(): void {
    this.record.endedAt = Date.now();
    this.res.socket?.destroy();
  }
}

function sendError(
  res: ServerResponse,
  record: FakeOpenAIRequest,
  behaviour: Extract<FakeBehaviour, { kind: "status" }>,
): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (behaviour.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(behaviour.retryAfterSeconds);
  }
  if (behaviour.retryAfterMs !== undefined) {
    headers["retry-after-ms"] = String(behaviour.retryAfterMs);
  }
  const message =
    behaviour.status === 401
      ? `Incorrect API key provided: ${record.authorization ?? "(none)"}.`
      : `The fake answers ${behaviour.status} as scripted.`;
  const body = JSON.stringify({
    error: { message, type: "fake_error", param: null, code: `fake_${behaviour.status}` },
  });
  record.firstByteAt = Date.now();
  record.endedAt = record.firstByteAt;
  record.bodyBytes += Buffer.byteLength(body);
  res.writeHead(behaviour.status, headers).end(body);
}

async function streamAnswer(writer: AnswerWriter, behaviour: FakeBehaviour, askedUsage: boolean) {
  const all = DEFAULT_ANSWER_TOKENS;
  switch (behaviour.kind) {
    case "normal": {
      const tokens = behaviour.tokens ?? all;
      writer.startStream();
      const written = await writer.tokens(
        tokens,
        behaviour.firstTokenDelayMs,
        behaviour.tokenDelayMs,
      );
      if (!written) return;
      const usage = (behaviour.usage ?? askedUsage) ? { completionTokens: tokens.length } : null;
      writer.finish(behaviour.finishReason ?? "stop", usage);
      return;
    }
    case "disconnect":
      writer.startStream();
      if (await writer.tokens(all.slice(0, behaviour.afterTokens ?? 3))) writer.destroy();
      return;
    case "hang":
      writer.startStream();
      return;
    case "stall":
      writer.startStream();
      await writer.tokens(all.slice(0, behaviour.afterTokens ?? 3));
      return;
    case "malformed": {
      const before = all.slice(0, behaviour.afterTokens ?? 2);
      writer.startStream();
      if (!(await writer.tokens(before))) return;
      writer.data(behaviour.chunk ?? "{not json");
      writer.finish("stop", askedUsage ? { completionTokens: before.length } : null);
      return;
    }
    case "stream-error": {
      writer.startStream();
      if (!(await writer.tokens(all.slice(0, behaviour.afterTokens ?? 2)))) return;
      writer.data(JSON.stringify({ error: { message: "The fake failed mid-answer.", code: 500 } }));
      writer.end();
      return;
    }
    case "no-done":
      writer.startStream();
      if (await writer.tokens(behaviour.tokens ?? all)) writer.end();
      return;
    case "status":
      return;
  }
}

async function answerWhole(
  res: ServerResponse,
  writer: AnswerWriter,
  record: FakeOpenAIRequest,
  behaviour: FakeBehaviour,
) {
  if (behaviour.kind === "hang") return;
  const tokens = (behaviour.kind === "normal" && behaviour.tokens) || DEFAULT_ANSWER_TOKENS;
  if (behaviour.kind === "normal") await pause(behaviour.firstTokenDelayMs ?? 0, writer.gone);
  if (writer.gone.aborted) return;
  const prompt = estimatePromptTokens(record.body);
  res.writeHead(200, { "content-type": "application/json" });
  const message = { role: "assistant", content: tokens.join("") };
  const body = JSON.stringify({
    id: "chatcmpl-fake-whole",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: record.body?.model ?? "fake-model",
    choices: [{ index: 0, message, finish_reason: "stop" }],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: tokens.length,
      total_tokens: prompt + tokens.length,
    },
  });
  record.firstByteAt = Date.now();
  record.bodyBytes += Buffer.byteLength(body);
  res.write(body);
  writer.end();
}

/** Starts the fake on 127.0.0.1 (see the file's comment). */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: FakeOpenAIRequest[] = [];
  const waiters = new Set<() => void>();
  const models = options.models ?? ["fake-model"];
  const now = options.now ?? (() => performance.now());
  let closing = false;

  function sendRecords(res: ServerResponse): void {
    const records: FakeOpenAIRequestRecord[] = requests.map(
      ({ authorization: _authorization, ...record }) => record,
    );
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(records));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const asksRecords = req.method === "GET" && req.url?.split("?")[0] === FAKE_RECORDS_PATH;
    if (options.servesRecords && asksRecords) return sendRecords(res);
    const authorization = req.headers.authorization ?? null;
    const record: FakeOpenAIRequest = {
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://fake").pathname,
      body: parseBody(text),
      hasAuthorization: authorization !== null,
      authorization,
      behaviour: null,
      receivedAt: Date.now(),
      firstByteAt: null,
      endedAt: null,
      closedByClientAt: null,
      bodyBytes: 0,
      tokenWrittenAt: [],
    };
    const gone = new AbortController();
    res.on("close", () => {
      if (record.endedAt === null && !closing) record.closedByClientAt = Date.now();
      gone.abort();
    });
    const writer = new AnswerWriter(res, record, gone.signal, now);

    const isChat = record.method === "POST" && record.path === "/v1/chat/completions";
    if (isChat) {
      record.behaviour = toMarkedBehaviour(toLastUserText(record.body)) ??
        options.behaviourFor?.(record) ?? { kind: "normal" };
    }
    requests.push(record);
    for (const wake of waiters) wake();

    if (record.method === "GET" && record.path === "/v1/models") {
      const data = models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" }));
      const body = JSON.stringify({ object: "list", data });
      res.writeHead(200, { "content-type": "application/json" });
      record.firstByteAt = Date.now();
      record.endedAt = record.firstByteAt;
      record.bodyBytes += Buffer.byteLength(body);
      res.end(body);
      return;
    }
    if (!isChat || record.body === null || record.behaviour === null) {
      const status = isChat ? 400 : 404;
      sendError(res, record, { kind: "status", status });
      return;
    }
    const behaviour = record.behaviour;
    if (behaviour.kind === "status") sendError(res, record, behaviour);
    else if (record.body.stream === true) {
      await streamAnswer(writer, behaviour, record.body.stream_options?.include_usage === true);
    } else await answerWhole(res, writer, record, behaviour);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    waitForRequest(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests[n - 1];
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake-openai: request ${n} did not come within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.FAKE_OPENAI_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `FAKE_OPENAI_PORT must be a port number, got "${process.env.FAKE_OPENAI_PORT}"`,
    );
  }
  const fake = await startFakeOpenAI({ port, servesRecords: true });
  process.stdout.write(`fake-openai listening on ${fake.url}\n`);
  const stop = () => {
    fake.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
