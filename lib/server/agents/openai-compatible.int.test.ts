import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import type { OpenAICompatibleAgentConfig } from "./config-schema";
import { createOpenAICompatibleAgent } from "./openai-compatible";
import {
  createAnswerTokens,
  DEFAULT_ANSWER,
  DEFAULT_ANSWER_TOKENS,
  type FakeBehaviour,
} from "./testing/fake-openai-behaviours";
import {
  type FakeOpenAI,
  type FakeOpenAIRequest,
  startFakeOpenAI,
} from "./testing/fake-openai-server";
import { type Agent, AgentError, type AgentFailureCode, type AgentOutcome } from "./types";

const KEY = "sk-foyer-test-SECRET-4242";
/** Small deadlines, for the tests of the deadlines: those faults end within a fraction of a second. */
const FIRST_TOKEN_MS = 300;
const IDLE_MS = 200;
const TIGHT = { firstTokenMs: FIRST_TOKEN_MS, idleMs: IDLE_MS };
/** Every other test: roomy, so a busy machine's cold first request does not time out. */
const ROOMY = { firstTokenMs: 5000, idleMs: 5000 };

let fake: FakeOpenAI | null = null;
let consoleCalls: unknown[][] = [];

beforeEach(() => {
  consoleCalls = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleCalls.push([method, ...args]);
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  await fake?.close();
  fake = null;
  // Nothing an agent does prints: no raw chunk, no key (the openai client logs unless told not to).
  expect(consoleCalls).toEqual([]);
});

async function startFake(behaviourFor?: () => FakeBehaviour): Promise<FakeOpenAI> {
  fake = await startFakeOpenAI({ behaviourFor });
  return fake;
}

function configFor(
  url: string,
  overrides: Partial<OpenAICompatibleAgentConfig> = {},
  provider: Partial<OpenAICompatibleAgentConfig["provider"]> = {},
): OpenAICompatibleAgentConfig {
  return {
    id: "model",
    name: "Model",
    ...overrides,
    provider: {
      type: "openai-compatible",
      baseURL: url,
      model: "fake-model",
      apiKeyEnv: "FOYER_TEST_KEY",
      timeouts: ROOMY,
      ...provider,
    },
  };
}

function agentFor(
  url: string,
  overrides: Partial<OpenAICompatibleAgentConfig> = {},
  provider: Partial<OpenAICompatibleAgentConfig["provider"]> = {},
  env: Record<string, string | undefined> = { FOYER_TEST_KEY: KEY },
): Agent {
  return createOpenAICompatibleAgent(configFor(url, overrides, provider), env);
}

let seq = 0;
function message(body: string, authorKind: "user" | "agent" = "user", extra = {}): ChatMessage {
  seq += 1;
  return {
    id: `msg_${seq}`,
    channel: "direct-usr_1-model",
    seq,
    clientMessageId: authorKind === "user" ? `c${seq}` : null,
    authorId: authorKind === "user" ? "usr_1" : "model",
    authorKind,
    body,
    createdAt: new Date(0).toISOString(),
    status: authorKind === "user" ? null : "complete",
    note: null,
    replyTo: null,
    ...extra,
  };
}

interface Run {
  pieces: string[];
  outcome?: AgentOutcome;
  error?: unknown;
  ms: number;
}

/** Runs one reply to `text` to its end, with what it yielded, returned or threw. */
async function run(
  agent: Agent,
  text: string,
  options: {
    history?: ChatMessage[];
    signal?: AbortSignal;
    onPiece?: (piece: string) => void;
  } = {},
): Promise<Run> {
  const started = performance.now();
  const pieces: string[] = [];
  const reply = agent.reply({
    history: options.history ?? [],
    userMessage: message(text),
    signal: options.signal ?? new AbortController().signal,
  });
  try {
    for (;;) {
      const next = await reply.next();
      if (next.done)
        return { pieces, outcome: next.value ?? undefined, ms: performance.now() - started };
      pieces.push(next.value);
      options.onPiece?.(next.value);
    }
  } catch (error) {
    return { pieces, error, ms: performance.now() - started };
  }
}

function expectFailure(result: Run, code: AgentFailureCode): AgentError {
  expect(result.error).toBeInstanceOf(AgentError);
  const error = result.error as AgentError;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  expect(error.message.length).toBeGreaterThan(10);
  for (const shown of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error)]) {
    expect(shown).not.toContain("SECRET");
  }
  return error;
}

/** Waits (polling) until `condition` holds; fails after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function expectClosedByClient(request: FakeOpenAIRequest | undefined): Promise<void> {
  await waitUntil(() => request?.closedByClientAt != null);
  expect(request?.endedAt).toBeNull();
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("an OpenAI-compatible agent, answering", () => {
  it("streams each delta and returns the finish reason and the upstream's usage", async () => {
    const { url, requests } = await startFake();
    const agent = agentFor(url, {
      description: "d",
      suggestions: ["Hi?"],
      limits: { memberMessagesPerDay: 5 },
    });
    expect(agent).toMatchObject({ id: "model", name: "Model", description: "d", streams: true });
    expect(agent.suggestions).toEqual(["Hi?"]);
    expect(agent.limits).toEqual({ memberMessagesPerDay: 5 });
    const result = await run(agent, "hello");
    expect(result.error).toBeUndefined();
    expect(result.pieces).toEqual(DEFAULT_ANSWER_TOKENS);
    expect(result.pieces.join("")).toBe(DEFAULT_ANSWER);
    expect(result.outcome).toEqual({
      finishReason: "stop",
      usage: {
        promptTokens: expect.any(Number),
        completionTokens: DEFAULT_ANSWER_TOKENS.length,
        estimated: false,
      },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toMatchObject({
      model: "fake-model",
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("returns no usage when the stream had none, and passes the finish reason on", async () => {
    const { url } = await startFake(() => ({
      kind: "normal",
      usage: false,
      finishReason: "length",
    }));
    const result = await run(agentFor(url), "hello");
    expect(result.outcome).toEqual({ finishReason: "length" });
  });

  it("does not ask for usage when the config turns it off", async () => {
    const { url, requests } = await startFake();
    const result = await run(agentFor(url, {}, { streamUsage: false }), "hello");
    expect(result.outcome).toEqual({ finishReason: "stop" });
    expect(requests[0]?.body).not.toHaveProperty("stream_options");
  });

  it("streams a long answer (2,000 tokens) whole", async () => {
    const tokens = createAnswerTokens(2000);
    const { url } = await startFake(() => ({ kind: "normal", tokens }));
    const result = await run(agentFor(url), "long");
    expect(result.error).toBeUndefined();
    expect(result.pieces.join("")).toBe(tokens.join(""));
    expect(result.outcome?.usage?.completionTokens).toBe(2000);
  });

  it("sends the key from apiKeyEnv as a Bearer token", async () => {
    const { url, requests } = await startFake();
    await run(agentFor(url), "hello");
    expect(requests[0]).toMatchObject({ hasAuthorization: true, authorization: `Bearer ${KEY}` });
  });

  it.each([
    ["no apiKeyEnv", { apiKeyEnv: undefined }, { FOYER_TEST_KEY: KEY }],
    ["an unset variable", {}, {}],
    ["an empty variable", {}, { FOYER_TEST_KEY: "" }],
  ])("sends no Authorization header with %s", async (_case, provider, env) => {
    const { url, requests } = await startFake();
    const result = await run(agentFor(url, {}, provider, env), "hello");
    expect(result.outcome?.finishReason).toBe("stop");
    expect(requests[0]).toMatchObject({ hasAuthorization: false, authorization: null });
  });

  it("sends the system prompt, the history as user/assistant, then the message", async () => {
    const { url, requests } = await startFake();
    const agent = agentFor(url, {
      system: "You are terse.",
      params: { temperature: 0.2, max_tokens: 64, extra: { top_k: 40 } },
    });
    const history = [
      message("first question"),
      message("first answer", "agent"),
      message("   "),
      message("Sorry, the model failed.", "agent", { status: "failed", note: "x" }),
      message("a stopped answer, kept", "agent", { status: "stopped" }),
      message("second question"),
    ];
    await run(agent, "third question", { history });
    expect(requests[0]?.body?.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "assistant", content: "a stopped answer, kept" },
      { role: "user", content: "second question" },
      { role: "user", content: "third question" },
    ]);
    expect(requests[0]?.body).toMatchObject({ temperature: 0.2, max_tokens: 64, top_k: 40 });
  });

  it("does not hold a slow reader against the idle deadline", async () => {
    const { url } = await startFake(() => ({ kind: "normal", tokens: ["a", " b", " c", " d"] }));
    const agent = agentFor(url, {}, { timeouts: TIGHT });
    const reply = agent.reply({
      history: [],
      userMessage: message("hi"),
      signal: new AbortController().signal,
    });
    const pieces: string[] = [];
    for (let next = await reply.next(); !next.done; next = await reply.next()) {
      pieces.push(next.value);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 100));
    }
    expect(pieces.join("")).toBe("a b c d");
  });

  it("takes tokens slower than nothing but faster than the deadlines", async () => {
    const { url } = await startFake(() => ({
      kind: "normal",
      tokens: ["a", " b", " c", " d", " e"],
      firstTokenDelayMs: 300,
      tokenDelayMs: 100,
    }));
    const timeouts = { firstTokenMs: 1000, idleMs: 500 };
    const result = await run(agentFor(url, {}, { timeouts }), "hi");
    expect(result.pieces.join("")).toBe("a b c d e");
    expect(result.outcome?.finishReason).toBe("stop");
  });
});

describe("an OpenAI-compatible agent, stopped by the person", () => {
  it("ends quietly mid-stream, and the upstream sees its connection closed", async () => {
    const { url, requests } = await startFake(() => ({
      kind: "normal",
      tokens: createAnswerTokens(100),
      tokenDelayMs: 20,
    }));
    const controller = new AbortController();
    const result = await run(agentFor(url), "hi", {
      signal: controller.signal,
      onPiece: () => {
        if (!controller.signal.aborted) setTimeout(() => controller.abort(), 30);
      },
    });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBeUndefined();
    expect(result.pieces.length).toBeGreaterThan(0);
    expect(result.pieces.length).toBeLessThan(20);
    expect(result.ms).toBeLessThan(1000);
    await expectClosedByClient(requests[0]);
  });

  it("ends quietly while waiting for the first token, and closes the request", async () => {
    const { url, requests, waitForRequest } = await startFake(() => ({ kind: "hang" }));
    const controller = new AbortController();
    const pending = run(agentFor(url), "hi", { signal: controller.signal });
    await waitForRequest(1);
    controller.abort();
    const result = await pending;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ pieces: [], outcome: undefined });
    expect(result.ms).toBeLessThan(ROOMY.firstTokenMs);
    await expectClosedByClient(requests[0]);
  });

  it("closes the request when the reader stops pulling (return)", async () => {
    const { url, requests } = await startFake(() => ({
      kind: "normal",
      tokens: createAnswerTokens(50),
      tokenDelayMs: 20,
    }));
    const reply = agentFor(url).reply({
      history: [],
      userMessage: message("hi"),
      signal: new AbortController().signal,
    });
    expect((await reply.next()).done).toBe(false);
    await reply.return(undefined);
    await expectClosedByClient(requests[0]);
  });

  it("makes no request when already stopped", async () => {
    const { url, requests } = await startFake();
    const controller = new AbortController();
    controller.abort();
    expect(await run(agentFor(url), "hi", { signal: controller.signal })).toMatchObject({
      pieces: [],
      outcome: undefined,
    });
    expect(requests).toHaveLength(0);
  });
});

describe("an OpenAI-compatible agent, failing", () => {
  const BOUND_MS = 1500;

  it.each<[string, FakeBehaviour, AgentFailureCode, RegExp]>([
    ["401", { kind: "status", status: 401 }, "upstream_auth", /refused Foyer's key/],
    ["403", { kind: "status", status: 403 }, "upstream_auth", /refused Foyer's key/],
    ["404", { kind: "status", status: 404 }, "upstream_not_found", /does not have this model/],
    ["500", { kind: "status", status: 500 }, "upstream_error", /failed \(HTTP 500\)/],
    ["400", { kind: "status", status: 400 }, "upstream_error", /turned the request down/],
    ["hang", { kind: "hang" }, "upstream_timeout", /took too long to start/],
    [
      "a first token later than firstTokenMs",
      { kind: "normal", firstTokenDelayMs: FIRST_TOKEN_MS + 300 },
      "upstream_timeout",
      /took too long/,
    ],
    ["stall", { kind: "stall", afterTokens: 3 }, "upstream_stalled", /stopped answering/],
    ["disconnect", { kind: "disconnect", afterTokens: 3 }, "upstream_incomplete", /cut off/],
    ["malformed", { kind: "malformed", afterTokens: 2 }, "upstream_malformed", /cannot read/],
    [
      "no-choices",
      { kind: "malformed", afterTokens: 2, chunk: '{"object":"chunk"}' },
      "upstream_malformed",
      /cannot read/,
    ],
    ["stream-error", { kind: "stream-error" }, "upstream_error", /partway/],
    ["no-done", { kind: "no-done" }, "upstream_incomplete", /cut off/],
  ])("%s → %s", async (_name, behaviour, code, message) => {
    const { url } = await startFake(() => behaviour);
    const aboutDeadlines = code === "upstream_timeout" || code === "upstream_stalled";
    const timeouts = aboutDeadlines ? TIGHT : ROOMY;
    const result = await run(agentFor(url, {}, { timeouts }), "hi");
    const error = expectFailure(result, code);
    expect(error.message).toMatch(message);
    expect(result.ms).toBeLessThan(BOUND_MS);
  });

  it("names the HTTP status for logs", async () => {
    const { url } = await startFake(() => ({ kind: "status", status: 503 }));
    expect(expectFailure(await run(agentFor(url), "hi"), "upstream_error").status).toBe(503);
  });

  it("says a 401 without a key is a missing key, not a refused one", async () => {
    const { url } = await startFake(() => ({ kind: "status", status: 401 }));
    const error = expectFailure(await run(agentFor(url, {}, {}, {}), "hi"), "upstream_auth");
    expect(error.message).toBe("The model service wants a key, and Foyer has none for it.");
  });

  it("keeps the tokens it streamed before a stall, then closes the request", async () => {
    const { url, requests } = await startFake(() => ({ kind: "stall", afterTokens: 3 }));
    const result = await run(agentFor(url, {}, { timeouts: TIGHT }), "hi");
    expectFailure(result, "upstream_stalled");
    expect(result.pieces).toEqual(DEFAULT_ANSWER_TOKENS.slice(0, 3));
    expect(result.ms).toBeGreaterThanOrEqual(IDLE_MS - 10);
    await expectClosedByClient(requests[0]);
  });

  it("closes the request the first-token deadline gave up on", async () => {
    const { url, requests } = await startFake(() => ({ kind: "hang" }));
    const result = await run(agentFor(url, {}, { timeouts: TIGHT }), "hi");
    expectFailure(result, "upstream_timeout");
    expect(result.ms).toBeGreaterThanOrEqual(FIRST_TOKEN_MS - 10);
    await expectClosedByClient(requests[0]);
  });

  it("streams everything before a missing [DONE], then says the answer is incomplete", async () => {
    const { url } = await startFake(() => ({ kind: "no-done" }));
    const result = await run(agentFor(url), "hi");
    expectFailure(result, "upstream_incomplete");
    expect(result.pieces.join("")).toBe(DEFAULT_ANSWER);
  });

  it("cannot reach a port nothing listens on", async () => {
    const port = await closedPort();
    const result = await run(agentFor(`http://127.0.0.1:${port}/v1`), "hi");
    const error = expectFailure(result, "upstream_unreachable");
    expect(error.message).toBe("The model service cannot be reached.");
    expect((error.cause as Error | undefined)?.message).toBe("ECONNREFUSED");
    expect(result.ms).toBeLessThan(BOUND_MS);
  });

  it("never shows the key, even when the upstream's 401 body echoes it", async () => {
    const { url, requests } = await startFake(() => ({ kind: "status", status: 401 }));
    const error = expectFailure(await run(agentFor(url), "hi"), "upstream_auth");
    expect(requests[0]?.authorization).toBe(`Bearer ${KEY}`);
    expect(error.message).toBe("The model service refused Foyer's key.");
  });
});

describe("an OpenAI-compatible agent, rate limited", () => {
  it("reads retry-after, and answers at once without a request inside the window", async () => {
    const { url, requests } = await startFake(() => ({
      kind: "status",
      status: 429,
      retryAfterSeconds: 20,
    }));
    const agent = agentFor(url);
    const first = expectFailure(await run(agent, "hi"), "upstream_rate_limited");
    expect(first.retryAfterMs).toBe(20_000);
    expect(first.message).toBe("The model is busy. Try again in 20 s.");
    const again = await run(agent, "hi again");
    const second = expectFailure(again, "upstream_rate_limited");
    expect(second.retryAfterMs).toBeGreaterThan(19_000);
    expect(second.retryAfterMs).toBeLessThanOrEqual(20_000);
    expect(again.ms).toBeLessThan(50);
    expect(requests).toHaveLength(1);
  });

  it("asks again once the window (retry-after-ms) has passed", async () => {
    let calls = 0;
    const { url, requests } = await startFake(() =>
      ++calls === 1 ? { kind: "status", status: 429, retryAfterMs: 150 } : { kind: "normal" },
    );
    const agent = agentFor(url);
    expect(expectFailure(await run(agent, "hi"), "upstream_rate_limited").retryAfterMs).toBe(150);
    expectFailure(await run(agent, "hi"), "upstream_rate_limited");
    expect(requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await run(agent, "hi")).outcome?.finishReason).toBe("stop");
    expect(requests).toHaveLength(2);
  });

  it("holds no window after a 429 without retry-after", async () => {
    const { url, requests } = await startFake(() => ({ kind: "status", status: 429 }));
    const agent = agentFor(url);
    const error = expectFailure(await run(agent, "hi"), "upstream_rate_limited");
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toBe("The model is busy. Try again in a moment.");
    expectFailure(await run(agent, "hi"), "upstream_rate_limited");
    expect(requests).toHaveLength(2);
  });

  it("keeps the window per agent", async () => {
    const { url, requests } = await startFake(() => ({
      kind: "status",
      status: 429,
      retryAfterSeconds: 20,
    }));
    await run(agentFor(url), "hi");
    await run(agentFor(url, { id: "other" }), "hi");
    expect(requests).toHaveLength(2);
  });
});
