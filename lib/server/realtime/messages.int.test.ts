import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
import { MESSAGE_BODY_MAX_LENGTH } from "../../shared/realtime/events";
import { toStory } from "../agents/storyteller";
import {
  collect,
  emitAck,
  startTestGateway,
  type TestClient,
  type TestGateway,
  type TestUser,
  waitFor,
} from "./testing/gateway-harness";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, 60_000);
afterAll(() => t.close());

async function joined(
  agentId: string,
): Promise<{ user: TestUser; socket: TestClient; channel: string }> {
  const user = await t.createUser();
  const socket = await t.connect({ token: user.token });
  const ack = await emitAck(socket, "channel:join", { agentId });
  if (ack.status !== "OK") throw new Error(`join failed: ${ack.code}`);
  return { user, socket, channel: ack.data.channel };
}

async function sendOk(socket: TestClient, channel: string, clientMessageId: string, body = "hi") {
  const ack = await emitAck(socket, "message:send", { channel, clientMessageId, body });
  if (ack.status !== "OK") throw new Error(`send failed: ${ack.code} ${ack.message}`);
  return ack.data.message;
}

async function storedSeqs(channel: string): Promise<number[]> {
  const { rows } = await t.db.query<{ seq: number }>(
    "SELECT seq FROM messages WHERE channel = $1 ORDER BY seq",
    [channel],
  );
  return rows.map((r) => Number(r.seq));
}

describe("message:send", () => {
  it("stores, acks and pushes the message, then the agent's answer", async () => {
    const { user, socket, channel } = await joined("concierge");
    const created = collect(socket, "message:created");
    const message = await sendOk(socket, channel, "c-1", "  hello  ");
    expect(message).toMatchObject({
      channel,
      seq: 1,
      clientMessageId: "c-1",
      authorId: user.userId,
      authorKind: "user",
      body: "hello",
    });
    await waitFor(() => created.length === 2);
    expect(created[0]).toEqual(message);
    expect(created[1]).toMatchObject({ seq: 2, authorKind: "agent", authorId: "concierge" });
    expect(created[1]?.body).toMatch(/Hello and welcome/);
  });

  it("is idempotent: a resend returns the same message, stores it once, triggers nothing", async () => {
    const { socket, channel } = await joined("concierge");
    const created = collect(socket, "message:created");
    const first = await sendOk(socket, channel, "same-id", "hello");
    await waitFor(() => created.length === 2);
    const again = await sendOk(socket, channel, "same-id", "hello");
    const other = await t.connect({ token: (await t.createUser()).token });
    expect(again).toEqual(first);
    const { rows } = await t.db.query(
      "SELECT id FROM messages WHERE client_message_id = 'same-id' AND channel = $1",
      [channel],
    );
    expect(rows).toHaveLength(1);
    const next = await sendOk(socket, channel, "next-id", "hello again");
    expect(next.seq).toBe(3); // the resend consumed no seq
    await waitFor(() => created.length === 4);
    expect(created.filter((m) => m.id === first.id)).toHaveLength(1);
    other.disconnect();
  });

  it("refuses empty, blank, oversized and badly identified messages", async () => {
    const { socket, channel } = await joined("concierge");
    const bad = [
      { channel, clientMessageId: "c1", body: "" },
      { channel, clientMessageId: "c1", body: " \n\t " },
      { channel, clientMessageId: "c1", body: "x".repeat(MESSAGE_BODY_MAX_LENGTH + 1) },
      { channel, clientMessageId: "", body: "hi" },
      { channel, clientMessageId: "has space", body: "hi" },
      { channel, clientMessageId: "x".repeat(65), body: "hi" },
      { channel, clientMessageId: "c1", body: 42 },
    ];
    for (const payload of bad) {
      expect(await emitAck(socket, "message:send", payload)).toMatchObject({
        status: "ERROR",
        code: "bad_request:payload",
      });
    }
    expect(await storedSeqs(channel)).toEqual([]);
    const max = await sendOk(socket, channel, "c_max-1", "x".repeat(MESSAGE_BODY_MAX_LENGTH));
    expect(max.body).toHaveLength(MESSAGE_BODY_MAX_LENGTH);
  });

  it("assigns strictly increasing, gap-free seqs per channel under concurrent sends", async () => {
    const { user, socket, channel } = await joined("concierge");
    const second = await t.connect({ token: await t.mintToken(user) });
    const created = collect(socket, "message:created");
    const acks = await Promise.all(
      Array.from({ length: 12 }, (_, i) => sendOk(i % 2 ? second : socket, channel, `c${i}`)),
    );
    expect(new Set(acks.map((m) => m.seq)).size).toBe(12);
    await waitFor(() => created.length === 24);
    const seqs = created.map((m) => m.seq);
    expect(seqs.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(await storedSeqs(channel)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // Another channel of the same user counts on its own.
    const story = toDirectChannel(user.userId, "storyteller");
    expect((await sendOk(socket, story, "s1", "about owls")).seq).toBe(1);
  });
});

describe("history and reconnect", () => {
  it("returns exactly the gap after the last seq a reconnecting client saw", async () => {
    const { user, socket, channel } = await joined("concierge");
    const created = collect(socket, "message:created");
    await sendOk(socket, channel, "a1");
    await waitFor(() => created.length === 2);
    const lastSeen = Math.max(...created.map((m) => m.seq));
    socket.disconnect();

    const other = await t.connect({ token: user.token });
    const otherSeen = collect(other, "message:created");
    await sendOk(other, channel, "b1", "help");
    await sendOk(other, channel, "b2", "thanks");
    await waitFor(() => otherSeen.length === 4);

    const back = await t.connect({ token: user.token });
    const gap = await emitAck(back, "channel:history", { channel, after: lastSeen });
    expect(gap.status).toBe("OK");
    const gapMessages: ChatMessage[] = gap.status === "OK" ? gap.data.messages : [];
    expect(gapMessages.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
    expect(gapMessages.map((m) => m.id).sort()).toEqual(otherSeen.map((m) => m.id).sort());
    const rejoin = await emitAck(back, "channel:join", { agentId: "concierge", after: lastSeen });
    expect(rejoin.status === "OK" && rejoin.data.messages).toEqual(gapMessages);
    const page = await emitAck(back, "channel:history", { channel, after: 0, limit: 2 });
    expect(page.status === "OK" && page.data.messages.map((m) => m.seq)).toEqual([1, 2]);
  });
});

describe("streaming agent", () => {
  it("pushes append-only deltas, then message:created with the deltas' id, to every tab", async () => {
    const { user, socket, channel } = await joined("storyteller");
    const otherTab = await t.connect({ token: user.token });
    const deltas = collect(otherTab, "message:delta");
    const created = collect(otherTab, "message:created");
    const prompt = "Tell me a story about a lighthouse keeper";
    const sent = await sendOk(socket, channel, "s1", prompt);
    await waitFor(() => created.some((m) => m.authorKind === "agent"));
    const answer = created.find((m) => m.authorKind === "agent") as ChatMessage;
    expect(answer).toMatchObject({ channel, authorId: "storyteller", seq: sent.seq + 1 });
    expect(answer.body).toBe(toStory(prompt));
    expect(answer).toMatchObject({ status: "complete", replyTo: sent.id, note: null });
    expect(deltas.length).toBeGreaterThan(1);
    // The first push says where the answer belongs; the others are its id, offset and text.
    expect(deltas[0]).toEqual({
      channel,
      messageId: answer.id,
      authorId: "storyteller",
      replyTo: sent.id,
      offset: 0,
      text: expect.any(String),
    });
    let offset = 0;
    for (const [i, delta] of deltas.entries()) {
      if (i > 0) expect(Object.keys(delta).sort()).toEqual(["messageId", "offset", "text"]);
      expect(delta).toMatchObject({ messageId: answer.id, offset });
      offset += delta.text.length;
    }
    // Each push carries only new text: together they are the answer, once.
    expect(deltas.map((d) => d.text).join("")).toBe(answer.body);
  });

  it("pushes no deltas for a non-streaming agent", async () => {
    const { socket, channel } = await joined("concierge");
    const deltas = collect(socket, "message:delta");
    const created = collect(socket, "message:created");
    await sendOk(socket, channel, "c1", "hello");
    await waitFor(() => created.length === 2);
    expect(deltas).toEqual([]);
  });
});
