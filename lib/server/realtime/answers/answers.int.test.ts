import { afterEach, describe, expect, it } from "vitest";
import {
  applyDelta,
  applySnapshot,
  applySync,
  type ChannelCache,
  fitsDelta,
} from "../../../client/cache/channel-cache";
import { toDirectChannel } from "../../../shared/realtime/channels";
import type { ChatMessage, MessageDelta } from "../../../shared/realtime/events";
import { createAgentRegistry } from "../../agents/registry";
import type { Agent, AgentLimits } from "../../agents/types";
import { mergeGuestIntoMember } from "../../store/merge";
import {
  collect,
  emitAck,
  pause,
  type StartTestGatewayOptions,
  startTestGateway,
  type TestClient,
  type TestGateway,
  waitFor,
} from "../testing/gateway-harness";

/** What a test agent saw: requests it started, and how many it was told to stop. */
interface Calls {
  started: number;
  aborted: number;
}

const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i} `);

/** Streams `count` words, `gapMs` apart; stops when told and counts that it was. */
function pacedAgent(
  id: string,
  calls: Calls,
  options: { count?: number; gapMs?: number; limits?: AgentLimits } = {},
): Agent {
  const { count = 40, gapMs = 15 } = options;
  return {
    id,
    name: `Agent ${id}`,
    description: "Paced for tests.",
    streams: true,
    suggestions: [],
    limits: options.limits,
    async *reply({ signal }) {
      calls.started += 1;
      signal.addEventListener("abort", () => (calls.aborted += 1), { once: true });
      for (const word of words(count)) {
        await pause(gapMs);
        if (signal.aborted) return;
        yield word;
      }
      return {
        finishReason: "stop",
        usage: { promptTokens: 3, completionTokens: count, estimated: false },
      };
    },
  };
}

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(agents: Agent[], options: Omit<StartTestGatewayOptions, "agents"> = {}) {
  t = await startTestGateway({
    agents: createAgentRegistry(agents),
    // Handshakes say which address they come from (?addr=…), for the per-address allowance.
    clientAddressOf: (req) =>
      new URL(req.url ?? "/", "http://x").searchParams.get("addr") ?? "127.0.0.1",
    ...options,
  });
  return t;
}

async function send(socket: TestClient, channel: string, clientMessageId: string, body = "hi") {
  return emitAck(socket, "message:send", { channel, clientMessageId, body });
}

const answerOf = (created: ChatMessage[]) => created.find((m) => m.authorKind === "agent");

describe("stop", () => {
  it("any tab of the user stops an answer: the agent is told, the partial text is stored as stopped", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 200, gapMs: 20 })]);
    const user = await gw.createUser();
    const tab1 = await gw.connect({ token: user.token });
    const tab2 = await gw.connect({ token: user.token });
    const channel = toDirectChannel(user.userId, "slow");
    const deltas = collect(tab2, "message:delta");
    const created = collect(tab2, "message:created");
    expect((await send(tab1, channel, "s1")).status).toBe("OK");
    await waitFor(() => deltas.length >= 3, 5_000);
    const messageId = deltas[0]?.messageId ?? "";
    expect(await emitAck(tab2, "generation:stop", { messageId })).toEqual({
      status: "OK",
      data: { stopping: true },
    });
    await waitFor(() => answerOf(created) !== undefined, 5_000);
    const answer = answerOf(created) as ChatMessage;
    expect(answer).toMatchObject({ id: messageId, status: "stopped" });
    expect(words(200).join("").startsWith(answer.body)).toBe(true);
    expect(answer.body.length).toBeGreaterThan(0);
    expect(answer.body.length).toBeLessThan(words(200).join("").length);
    expect(calls.aborted).toBe(1);
    const row = await gw.db.query<{ status: string; finish_reason: string }>(
      "SELECT status, finish_reason FROM generations WHERE id = $1",
      [messageId],
    );
    expect(row.rows).toEqual([{ status: "stopped", finish_reason: "stop_requested" }]);
    // Once ended, a stop changes nothing; the message was pushed once.
    expect(await emitAck(tab1, "generation:stop", { messageId })).toEqual({
      status: "OK",
      data: { stopping: false },
    });
    await pause(100);
    expect(created.filter((m) => m.id === messageId)).toHaveLength(1);
  });

  it("refuses a stop from anyone but the channel's user, and for an unknown id, alike", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 100, gapMs: 20 })]);
    const owner = await gw.createUser();
    const other = await gw.createUser();
    const ownerSocket = await gw.connect({ token: owner.token });
    const otherSocket = await gw.connect({ token: other.token });
    const deltas = collect(ownerSocket, "message:delta");
    await send(ownerSocket, toDirectChannel(owner.userId, "slow"), "s1");
    await waitFor(() => deltas.length > 0, 5_000);
    const messageId = deltas[0]?.messageId ?? "";
    const refusal = await emitAck(otherSocket, "generation:stop", { messageId });
    expect(refusal).toMatchObject({ status: "ERROR", code: "not_found:message" });
    expect(await emitAck(otherSocket, "generation:stop", { messageId: "msg_nope" })).toEqual(
      refusal,
    );
    expect(await emitAck(otherSocket, "generation:snapshot", { messageId })).toEqual(refusal);
    expect(calls.aborted).toBe(0);
    for (const bad of [{}, { messageId: 7 }, { messageId: "x".repeat(65) }]) {
      expect(await emitAck(ownerSocket, "generation:stop", bad as never)).toMatchObject({
        status: "ERROR",
        code: "bad_request:payload",
      });
    }
  });
});

/** Follows one channel as the browser does: join, then every push by the client's rules. */
async function follow(socket: TestClient, agentId: string) {
  let cache: ChannelCache | undefined;
  let createdCount = 0;
  const asks: Promise<void>[] = [];
  socket.on("message:delta", (delta: MessageDelta) => {
    if (fitsDelta(cache, delta)) {
      cache = applyDelta(cache, delta);
      return;
    }
    asks.push(
      emitAck(socket, "generation:snapshot", { messageId: delta.messageId }).then((ack) => {
        if (ack.status === "OK" && ack.data.generation) {
          cache = applySnapshot(cache, ack.data.generation);
        }
      }),
    );
  });
  const finals: string[] = [];
  socket.on("message:created", (message) => {
    if (message.authorKind !== "agent") return;
    createdCount += 1;
    // What the tab showed just before the final message replaced it.
    finals.push(cache?.streaming.find((d) => d.messageId === message.id)?.text ?? "");
  });
  const joined = await emitAck(socket, "channel:join", { agentId });
  if (joined.status !== "OK") throw new Error("join failed");
  cache = applySync(cache, {
    channel: joined.data.channel,
    messages: joined.data.messages,
    syncedSeq: 0,
    generations: joined.data.generations,
    allowance: joined.data.allowance,
  });
  return {
    joinedWith: joined.data.generations.map((g) => g.text),
    finals,
    created: () => createdCount,
    settled: () => Promise.all(asks),
  };
}

describe("resume", () => {
  it("a tab that joins mid-answer gets the text so far, then pushes: no gap, no duplicate, one final message", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 60, gapMs: 10 })]);
    const user = await gw.createUser();
    const sender = await gw.connect({ token: user.token });
    const created = collect(sender, "message:created");
    await send(sender, toDirectChannel(user.userId, "slow"), "s1");
    const followers = [];
    for (let i = 0; i < 4; i++) {
      await pause(90);
      followers.push(await follow(await gw.connect({ token: user.token }), "slow"));
    }
    await waitFor(() => answerOf(created) !== undefined, 10_000);
    await pause(100);
    const answer = answerOf(created) as ChatMessage;
    expect(answer.body).toBe(words(60).join(""));
    for (const follower of followers) {
      await follower.settled();
      // Joined mid-answer: it started from some text, then assembled the rest from pushes.
      expect(follower.joinedWith).toHaveLength(1);
      expect(answer.body.startsWith(follower.joinedWith[0] ?? "x")).toBe(true);
      expect(follower.finals).toEqual([answer.body]);
      expect(follower.created()).toBe(1);
    }
    // The joins came at different moments, so they started from different texts.
    expect(new Set(followers.map((f) => f.joinedWith[0])).size).toBeGreaterThan(1);
  });

  it("a snapshot is the text so far while writing, and null once the answer ended", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 30, gapMs: 10 })]);
    const user = await gw.createUser();
    const socket = await gw.connect({ token: user.token });
    const deltas = collect(socket, "message:delta");
    const created = collect(socket, "message:created");
    await send(socket, toDirectChannel(user.userId, "slow"), "s1");
    await waitFor(() => deltas.length >= 2, 5_000);
    const messageId = deltas[0]?.messageId ?? "";
    const mid = await emitAck(socket, "generation:snapshot", { messageId });
    expect(
      mid.status === "OK" &&
        words(30)
          .join("")
          .startsWith(mid.data.generation?.text ?? "x"),
    );
    expect(mid.status === "OK" && mid.data.generation?.text.length).toBeGreaterThan(0);
    await waitFor(() => answerOf(created) !== undefined, 5_000);
    expect(await emitAck(socket, "generation:snapshot", { messageId })).toEqual({
      status: "OK",
      data: { generation: null },
    });
  });
});

describe("limits", () => {
  const limits = { guestMessagesPerDay: 2, memberMessagesPerDay: 5 };

  it("refuses past a guest's daily allowance with the agent's words; nothing is stored or asked", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("paid", calls, { count: 2, gapMs: 1, limits })]);
    const guest = await gw.createUser();
    const socket = await gw.connect({ token: guest.token });
    const channel = toDirectChannel(guest.userId, "paid");
    const created = collect(socket, "message:created");
    const join = await emitAck(socket, "channel:join", { agentId: "paid" });
    expect(join.status === "OK" && join.data.allowance).toEqual({
      agentId: "paid",
      kind: "guest",
      limit: 2,
      left: 2,
      memberLimit: 5,
    });
    const first = await send(socket, channel, "p1");
    expect(first.status === "OK" && first.data.allowance?.left).toBe(1);
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 1, 5_000);
    const second = await send(socket, channel, "p2");
    expect(second.status === "OK" && second.data.allowance?.left).toBe(0);
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 2, 5_000);
    const third = await send(socket, channel, "p3", "one more?");
    expect(third).toEqual({
      status: "ERROR",
      code: "quota_exceeded:agent_messages",
      message: "You've used today's 2 messages with Agent paid. Sign up to get 5 a day.",
    });
    const stored = await gw.db.query("SELECT body FROM messages WHERE body = 'one more?'");
    expect(stored.rows).toEqual([]);
    expect(calls.started).toBe(2);
    // A resend of a message that was stored is still answered with it, limit or not.
    const resend = await send(socket, channel, "p2");
    expect(resend.status === "OK" && resend.data.message.clientMessageId).toBe("p2");
  });

  it("minting new guests from one address does not reset the allowance; another address has its own", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("paid", calls, { count: 1, gapMs: 1, limits })]);
    const sendAs = async (addr: string, clientMessageId: string) => {
      const guest = await gw.createUser();
      const socket = await gw.connect({ token: guest.token, query: { addr } });
      return send(socket, toDirectChannel(guest.userId, "paid"), clientMessageId);
    };
    expect((await sendAs("203.0.113.7", "a1")).status).toBe("OK");
    expect((await sendAs("203.0.113.7", "a2")).status).toBe("OK");
    expect(await sendAs("203.0.113.7", "a3")).toMatchObject({
      status: "ERROR",
      code: "quota_exceeded:agent_messages",
    });
    // An IPv6 neighbour in the same /64 is the same client.
    expect((await sendAs("2001:db8::1", "b1")).status).toBe("OK");
    expect((await sendAs("2001:db8::2", "b2")).status).toBe("OK");
    expect((await sendAs("2001:db8::3", "b3")).status).toBe("ERROR");
    expect((await sendAs("198.51.100.9", "c1")).status).toBe("OK");
    expect(calls.started).toBe(5);
  });

  it("a guest who signs up keeps what they used and gets the member allowance", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("paid", calls, { count: 1, gapMs: 1, limits })]);
    const guest = await gw.createUser();
    const guestSocket = await gw.connect({ token: guest.token });
    const created = collect(guestSocket, "message:created");
    for (const id of ["g1", "g2"]) {
      expect((await send(guestSocket, toDirectChannel(guest.userId, "paid"), id)).status).toBe(
        "OK",
      );
    }
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 2, 5_000);
    guestSocket.disconnect();
    const member = await gw.createUser({ kind: "member" });
    await gw.db.query("UPDATE users SET kind = 'member' WHERE id = $1", [member.userId]);
    expect((await mergeGuestIntoMember(gw.db, guest.userId, member.userId)).status).toBe("merged");
    const memberSocket = await gw.connect({ token: member.token });
    const join = await emitAck(memberSocket, "channel:join", { agentId: "paid" });
    expect(join.status === "OK" && join.data.allowance).toEqual({
      agentId: "paid",
      kind: "member",
      limit: 5,
      left: 3,
      memberLimit: null,
    });
    const channel = toDirectChannel(member.userId, "paid");
    for (const id of ["m1", "m2", "m3"]) {
      expect((await send(memberSocket, channel, id)).status).toBe("OK");
      await pause(20);
    }
    expect(await send(memberSocket, channel, "m4")).toMatchObject({
      status: "ERROR",
      code: "quota_exceeded:agent_messages",
      message: "You've used today's 5 messages with Agent paid. They reset at midnight UTC.",
    });
  });

  it("caps the answers written for one user at once, across tabs; a stop frees a place", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start(
      [
        pacedAgent("a", calls, { count: 500, gapMs: 20 }),
        pacedAgent("b", calls, { count: 500, gapMs: 20 }),
      ],
      { maxRunningAnswers: 2 },
    );
    const user = await gw.createUser();
    const tab1 = await gw.connect({ token: user.token });
    const tab2 = await gw.connect({ token: user.token });
    const deltas = collect(tab1, "message:delta");
    const sends = await Promise.all([
      send(tab1, toDirectChannel(user.userId, "a"), "x1"),
      send(tab2, toDirectChannel(user.userId, "b"), "x2"),
      send(tab2, toDirectChannel(user.userId, "a"), "x3", "third"),
    ]);
    const refused = sends.filter((ack) => ack.status === "ERROR");
    expect(refused).toEqual([
      {
        status: "ERROR",
        code: "quota_exceeded:concurrent_generations",
        message: expect.stringMatching(/Wait for one to finish, or stop it/),
      },
    ]);
    const users = await gw.db.query("SELECT id FROM messages WHERE author_kind = 'user'");
    expect(users.rows).toHaveLength(2);
    await waitFor(() => deltas.length > 0, 5_000);
    await emitAck(tab1, "generation:stop", { messageId: deltas[0]?.messageId ?? "" });
    await waitFor(() => calls.aborted === 1, 5_000);
    await pause(50);
    expect((await send(tab1, toDirectChannel(user.userId, "a"), "x4")).status).toBe("OK");
  });
});

describe("regenerate", () => {
  it("writes the last answer again as a new message to the same question; the earlier stays", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 5, gapMs: 2 })]);
    const user = await gw.createUser();
    const socket = await gw.connect({ token: user.token });
    const channel = toDirectChannel(user.userId, "slow");
    const created = collect(socket, "message:created");
    const sent = await send(socket, channel, "q1", "question");
    const question = sent.status === "OK" ? sent.data.message : null;
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 1, 5_000);
    const first = answerOf(created) as ChatMessage;
    const again = await emitAck(socket, "generation:regenerate", { messageId: first.id });
    expect(again.status).toBe("OK");
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 2, 5_000);
    const second = created.filter((m) => m.authorKind === "agent")[1] as ChatMessage;
    expect(again.status === "OK" && again.data.messageId).toBe(second.id);
    expect(second).toMatchObject({ replyTo: question?.id, status: "complete", seq: first.seq + 1 });
    expect(first.replyTo).toBe(question?.id);
    // Only the last answer can be written again.
    expect(await emitAck(socket, "generation:regenerate", { messageId: first.id })).toMatchObject({
      status: "ERROR",
      code: "conflict:generation",
    });
    // Not a user message, not another user's answer.
    expect(
      await emitAck(socket, "generation:regenerate", { messageId: question?.id ?? "" }),
    ).toMatchObject({ status: "ERROR", code: "not_found:message" });
    const other = await gw.connect({ token: (await gw.createUser()).token });
    expect(await emitAck(other, "generation:regenerate", { messageId: second.id })).toMatchObject({
      status: "ERROR",
      code: "not_found:message",
    });
    expect(calls.started).toBe(2);
  });

  it("refuses while an answer is being written", async () => {
    const calls = { started: 0, aborted: 0 };
    const gw = await start([pacedAgent("slow", calls, { count: 3, gapMs: 2 })]);
    const user = await gw.createUser();
    const socket = await gw.connect({ token: user.token });
    const channel = toDirectChannel(user.userId, "slow");
    const created = collect(socket, "message:created");
    await send(socket, channel, "q1");
    await waitFor(() => created.filter((m) => m.authorKind === "agent").length === 1, 5_000);
    const first = answerOf(created) as ChatMessage;
    await gw.db.query(
      `INSERT INTO generations (id, channel, user_id, user_kind, agent_id, reply_to, node_id, lease_until)
       VALUES ('msg_busy', $1, $2, 'guest', 'slow', $3, 'elsewhere', now() + interval '1 minute')`,
      [channel, user.userId, first.replyTo],
    );
    expect(await emitAck(socket, "generation:regenerate", { messageId: first.id })).toMatchObject({
      status: "ERROR",
      code: "conflict:generation",
    });
  });
});
