import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ANSWER, DEFAULT_ANSWER_TOKENS } from "./fake-openai-behaviours";
import {
  FAKE_RECORDS_PATH,
  type FakeOpenAI,
  type FakeOpenAIOptions,
  type FakeOpenAIRequestRecord,
  startFakeOpenAI,
} from "./fake-openai-server";

let fake: FakeOpenAI | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  fake = await startFakeOpenAI(options);
  return fake;
}

function chat(
  url: string,
  content: string,
  extra: Record<string, unknown> = {},
  init: RequestInit = {},
) {
  return fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "m",
      stream: true,
      messages: [{ role: "user", content }],
      ...extra,
    }),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order. */
async function readEvents(response: Response): Promise<string[]> {
  const text = await response.text();
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return event.slice("data: ".length);
    });
}

interface Chunk {
  choices: { delta: { content?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function toChunks(events: string[]): Chunk[] {
  return events.filter((event) => event !== "[DONE]").map((event) => JSON.parse(event) as Chunk);
}

function toContent(chunks: Chunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

/** Waits (polling) until `condition` holds; fails after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the fake OpenAI server", () => {
  it("streams the default answer, a finish reason, the usage asked for, then [DONE]", async () => {
    const { url, requests } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await chat(url, "hi", { stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = toChunks(events);
    expect(toContent(chunks)).toBe(DEFAULT_ANSWER);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { completion_tokens: DEFAULT_ANSWER_TOKENS.length },
    });
    const usage = chunks.at(-1)?.usage;
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      body: { model: "m", stream: true },
      behaviour: { kind: "normal" },
      hasAuthorization: false,
      authorization: null,
      closedByClientAt: null,
    });
    expect(requests[0]?.endedAt).toBeGreaterThanOrEqual(requests[0]?.firstByteAt ?? Infinity);
  });

  it("records the body's bytes as written and one time per token on its clock", async () => {
    let tick = 0;
    const { url, requests } = await start({ now: () => ++tick });
    const text = await (await chat(url, "[fake:tokens:12]")).text();
    expect(requests[0]?.bodyBytes).toBe(Buffer.byteLength(text));
    expect(requests[0]?.tokenWrittenAt).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("sends no usage chunk unless asked, or when scripted not to", async () => {
    const { url } = await start();
    for (const [content, extra] of [
      ["hi", {}],
      ["[fake:no-usage]", { stream_options: { include_usage: true } }],
    ] as const) {
      const chunks = toChunks(await readEvents(await chat(url, content, extra)));
      expect(chunks.some((chunk) => chunk.usage)).toBe(false);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    }
  });

  it("records the Authorization header that came", async () => {
    const { url, requests } = await start();
    await (await chat(url, "hi", {}, { headers: { authorization: "Bearer sk-test" } })).text();
    expect(requests[0]).toMatchObject({ hasAuthorization: true, authorization: "Bearer sk-test" });
  });

  it("lets a marker in the last user message win over behaviourFor", async () => {
    const { url, requests } = await start({
      behaviourFor: () => ({ kind: "normal", tokens: ["from", " behaviourFor"] }),
    });
    expect(toContent(toChunks(await readEvents(await chat(url, "hi"))))).toBe("from behaviourFor");
    const marked = await chat(url, "a [fake:404] please");
    expect(marked.status).toBe(404);
    expect(await marked.json()).toMatchObject({ error: { message: expect.any(String) } });
    expect(requests.map((r) => r.behaviour?.kind)).toEqual(["normal", "status"]);
  });

  it("paces tokens with real timers: first-token delay, then the gap", async () => {
    const { url, requests } = await start({
      behaviourFor: () => ({
        kind: "normal",
        tokens: ["a", "b", "c", "d", "e", "f"],
        firstTokenDelayMs: 150,
        tokenDelayMs: 20,
      }),
    });
    const started = Date.now();
    await readEvents(await chat(url, "hi"));
    const record = requests[0];
    expect((record?.firstByteAt ?? 0) - (record?.receivedAt ?? 0)).toBeGreaterThanOrEqual(140);
    expect((record?.endedAt ?? 0) - (record?.firstByteAt ?? 0)).toBeGreaterThanOrEqual(5 * 18);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("answers 429 with retry-after seconds, and 401 with the key it got", async () => {
    const { url } = await start();
    const limited = await chat(url, "[fake:429:7]");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    const refused = await chat(url, "[fake:401]", {}, { headers: { authorization: "Bearer k1" } });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).toContain("Bearer k1");
  });

  it("records a client that hangs up before the end (hang, stall)", async () => {
    const { url, requests } = await start();
    for (const [i, marker] of ["[fake:hang]", "[fake:stall:2]"].entries()) {
      const controller = new AbortController();
      const response = await chat(url, marker, {}, { signal: controller.signal });
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      if (marker.includes("stall")) await reader?.read();
      controller.abort();
      await waitUntil(() => requests[i]?.closedByClientAt !== null);
      expect(requests[i]?.endedAt).toBeNull();
    }
    expect(requests[0]?.firstByteAt).toBeNull();
    expect(requests[1]?.firstByteAt).not.toBeNull();
  });

  it("destroys the socket mid-stream for disconnect, and that is not the client's doing", async () => {
    const { url, requests } = await start();
    const response = await chat(url, "[fake:disconnect:2]");
    await expect(response.text()).rejects.toThrow();
    await waitUntil(() => requests[0]?.endedAt !== null);
    expect(requests[0]?.closedByClientAt).toBeNull();
  });

  it("sends a malformed chunk, then ends normally", async () => {
    const { url } = await start();
    const events = await readEvents(await chat(url, "[fake:malformed:1]"));
    expect(events).toContain("{not json");
    expect(events.at(-1)).toBe("[DONE]");
  });

  it("ends without a finish reason or [DONE] for no-done", async () => {
    const { url } = await start();
    const events = await readEvents(await chat(url, "[fake:no-done]"));
    expect(events).not.toContain("[DONE]");
    const chunks = toChunks(events);
    expect(toContent(chunks)).toBe(DEFAULT_ANSWER);
    expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
  });

  it("answers a request without stream as one completion", async () => {
    const { url } = await start();
    const response = await chat(url, "hi", { stream: false });
    expect(await response.json()).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { role: "assistant", content: DEFAULT_ANSWER } }],
    });
  });

  it("lists its models, and answers 404 elsewhere", async () => {
    const { url } = await start({ models: ["a", "b"] });
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(["a", "b"]);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
  });

  it("lists its records at /__requests only when asked to, without the key, unrecorded", async () => {
    const quiet = await startFakeOpenAI();
    try {
      expect((await fetch(new URL(FAKE_RECORDS_PATH, quiet.url))).status).toBe(404);
    } finally {
      await quiet.close();
    }
    const { url, requests } = await start({ servesRecords: true });
    await (
      await chat(url, "listed", {}, { headers: { authorization: "Bearer sk-secret" } })
    ).text();
    const response = await fetch(new URL(FAKE_RECORDS_PATH, url));
    expect(response.headers.get("content-type")).toBe("application/json");
    const records = (await response.json()) as FakeOpenAIRequestRecord[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ path: "/v1/chat/completions", hasAuthorization: true });
    expect(records[0]?.body?.messages).toEqual([{ role: "user", content: "listed" }]);
    expect(JSON.stringify(records)).not.toContain("sk-secret");
    expect(requests).toHaveLength(1);
  });

  it("waits for the nth request, and gives up after the timeout", async () => {
    const { url, waitForRequest } = await start();
    const second = waitForRequest(2, 2000);
    await (await chat(url, "one")).text();
    await (await chat(url, "two")).text();
    expect(toLastUserTextOf(await second)).toBe("two");
    await expect(waitForRequest(3, 30)).rejects.toThrow(/request 3 did not come within 30 ms/);
  });

  it("closes with a response still open (hang) promptly", async () => {
    const { url, waitForRequest } = await start();
    const pending = chat(url, "[fake:hang]");
    await waitForRequest(1);
    const response = await pending;
    const started = Date.now();
    await fake?.close();
    fake = null;
    await expect(response.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

function toLastUserTextOf(request: { body: { messages?: { content?: unknown }[] } | null }) {
  return request.body?.messages?.at(-1)?.content;
}

describe("the fake's command line", () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill("SIGTERM");
    child = null;
  });

  it("prints the URL it listens on (FAKE_OPENAI_PORT=0: a free port) and answers", async () => {
    const script = path.join(import.meta.dirname, "fake-openai-server.ts");
    child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, FAKE_OPENAI_PORT: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no listening line in 15 s")), 15_000);
      let output = "";
      child?.stdout?.on("data", (data: Buffer) => {
        output += data.toString();
        const match = /fake-openai listening on (http:\/\/127\.0\.0\.1:\d+\/v1)\n/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const response = await chat(url, "hi");
    expect(toContent(toChunks(await readEvents(response)))).toBe(DEFAULT_ANSWER);
    // The command line serves its records, for browser tests in another process.
    const records = (await (await fetch(new URL(FAKE_RECORDS_PATH, url))).json()) as unknown[];
    expect(records).toHaveLength(1);
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    child = null;
  }, 20_000);
});
