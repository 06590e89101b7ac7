import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../../shared/realtime/channels";
import type { ChatMessage } from "../../../shared/realtime/events";
import { createOpenAICompatibleAgent } from "../../agents/openai-compatible";
import { createAgentRegistry } from "../../agents/registry";
import { DEFAULT_ANSWER } from "../../agents/testing/fake-openai-behaviours";
import { startFakeOpenAI } from "../../agents/testing/fake-openai-server";
import {
  collect,
  emitAck,
  startTestGateway,
  type TestClient,
  type TestGateway,
  waitFor,
} from "../testing/gateway-harness";

/**
 * Answers from a model, end to end: the gateway, the official client and a real
 * OpenAI-compatible server on loopback, with each scripted upstream behaviour.
 */
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let t: TestGateway;
let logs: { event: string; fields: Record<string, unknown> }[];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  logs = [];
  const agent = createOpenAICompatibleAgent(
    {
      id: "model",
      name: "Model",
      provider: {
        type: "openai-compatible",
        baseURL: fake.url,
        model: "fake-model",
        apiKeyEnv: "TEST_MODEL_KEY",
        timeouts: { firstTokenMs: 600, idleMs: 600 },
      },
      system: "Be brief.",
    },
    { TEST_MODEL_KEY: "sk-test-secret-123" },
  );
  t = await startTestGateway({
    agents: createAgentRegistry([agent]),
    log: (event, fields) => logs.push({ event, fields: fields ?? {} }),
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function ask(body: string): Promise<{ answer: ChatMessage; socket: TestClient }> {
  const user = await t.createUser();
  const socket = await t.connect({ token: user.token });
  const created = collect(socket, "message:created");
  const channel = toDirectChannel(user.userId, "model");
  const sent = await emitAck(socket, "message:send", { channel, clientMessageId: "u1", body });
  expect(sent.status).toBe("OK");
  await waitFor(() => created.some((m) => m.authorKind === "agent"), 10_000);
  return { answer: created.find((m) => m.authorKind === "agent") as ChatMessage, socket };
}

async function rowOf(id: string) {
  const { rows } = await t.db.query<{
    status: string;
    failure_code: string | null;
    finish_reason: string | null;
    prompt_tokens: number;
    completion_tokens: number;
    usage_estimated: boolean;
  }>(
    `SELECT status, failure_code, finish_reason, prompt_tokens, completion_tokens, usage_estimated
     FROM generations WHERE id = $1`,
    [id],
  );
  return rows[0];
}

describe("answers from an OpenAI-compatible model", () => {
  it("streams the answer, stores it complete with the stream's usage, and sends the key only as Bearer", async () => {
    const before = fake.requests.length;
    const { answer } = await ask("Hello model");
    expect(answer).toMatchObject({ status: "complete", body: DEFAULT_ANSWER, note: null });
    const row = await rowOf(answer.id);
    expect(row).toMatchObject({
      status: "complete",
      finish_reason: "stop",
      usage_estimated: false,
    });
    expect(row?.completion_tokens).toBeGreaterThan(0);
    const request = fake.requests[before];
    expect(request?.authorization).toBe("Bearer sk-test-secret-123");
    const body = request?.body as { messages?: { role: string; content: string }[] } | undefined;
    const messages = body?.messages ?? [];
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("estimates usage when the stream has none", async () => {
    const { answer } = await ask("[fake:no-usage] Hello");
    expect(await rowOf(answer.id)).toMatchObject({ status: "complete", usage_estimated: true });
  });

  it("Stop closes the upstream request and keeps the partial text", async () => {
    const user = await t.createUser();
    const socket = await t.connect({ token: user.token });
    const deltas = collect(socket, "message:delta");
    const created = collect(socket, "message:created");
    const before = fake.requests.length;
    await emitAck(socket, "message:send", {
      channel: toDirectChannel(user.userId, "model"),
      clientMessageId: "s1",
      body: "[fake:tokens:400:20] long please",
    });
    await waitFor(() => deltas.length >= 2, 10_000);
    const messageId = deltas[0]?.messageId ?? "";
    await emitAck(socket, "generation:stop", { messageId });
    await waitFor(() => created.some((m) => m.id === messageId), 10_000);
    const stopped = created.find((m) => m.id === messageId);
    expect(stopped?.status).toBe("stopped");
    expect(stopped?.body.length).toBeGreaterThan(0);
    await waitFor(() => fake.requests[before]?.closedByClientAt != null, 5_000);
    expect(fake.requests[before]?.closedByClientAt).not.toBeNull();
  });

  it.each([
    ["401", "[fake:401]", "upstream_auth", /refused Foyer's key/],
    ["404", "[fake:404]", "upstream_not_found", /does not have this model/],
    ["429", "[fake:429:1]", "upstream_rate_limited", /busy/],
    ["500", "[fake:500]", "upstream_error", /HTTP 500/],
    ["hang before the first token", "[fake:hang]", "upstream_timeout", /too long to start/],
    ["stall between tokens", "[fake:stall:3]", "upstream_stalled", /stopped answering/],
    ["a malformed chunk", "[fake:malformed:2]", "upstream_malformed", /cannot read/],
    ["a disconnect mid-stream", "[fake:disconnect:3]", "upstream_incomplete", /cut off/],
    ["no [DONE] and no finish reason", "[fake:no-done]", "upstream_incomplete", /cut off/],
  ])(
    "%s ends the answer failed, with a note a person can read and no key",
    async (_, marker, code, note) => {
      const { answer } = await ask(`${marker} go`);
      expect(answer.status).toBe("failed");
      expect(answer.note).toMatch(note);
      expect(JSON.stringify(answer)).not.toContain("sk-test-secret");
      expect(await rowOf(answer.id)).toMatchObject({ status: "failed", failure_code: code });
      // The log says which fault, never the key.
      const line = logs.find(
        (l) => l.event === "answer.failed" && l.fields.messageId === answer.id,
      );
      expect(line?.fields).toMatchObject({ code, agentId: "model" });
      expect(JSON.stringify(logs)).not.toContain("sk-test-secret");
      // The node is fine: the next question is answered (after the 429's retry-after).
      if (code === "upstream_rate_limited") await new Promise((r) => setTimeout(r, 1_100));
      expect((await ask("and now?")).answer.status).toBe("complete");
    },
  );

  it("after a 429 an answer within its retry-after fails at once without reaching the upstream", async () => {
    await ask("[fake:429:5] first");
    const before = fake.requests.length;
    const { answer } = await ask("second");
    expect(answer).toMatchObject({ status: "failed", note: expect.stringMatching(/busy/) });
    expect(fake.requests.length).toBe(before);
  });

  it("connection refused ends the answer failed as unreachable", async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    const agent = createOpenAICompatibleAgent(
      {
        id: "gone",
        name: "Gone",
        provider: { type: "openai-compatible", baseURL: url, model: "m" },
      },
      {},
    );
    const gw = await startTestGateway({ agents: createAgentRegistry([agent]) });
    try {
      const user = await gw.createUser();
      const socket = await gw.connect({ token: user.token });
      const created = collect(socket, "message:created");
      await emitAck(socket, "message:send", {
        channel: toDirectChannel(user.userId, "gone"),
        clientMessageId: "g1",
        body: "anyone?",
      });
      await waitFor(() => created.some((m) => m.authorKind === "agent"), 10_000);
      expect(created.find((m) => m.authorKind === "agent")).toMatchObject({
        status: "failed",
        note: expect.stringMatching(/cannot be reached/),
      });
    } finally {
      await gw.close();
    }
  });
});
