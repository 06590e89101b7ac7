import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHANNEL_ACCESS_DENIED, toDirectChannel } from "../../shared/realtime/channels";
import {
  collect,
  emitAck,
  pause,
  startTestGateway,
  type TestClient,
  type TestGateway,
  type TestUser,
  waitFor,
} from "./testing/gateway-harness";

let t: TestGateway;
let a: TestUser;
let b: TestUser;
let a1: TestClient;
let a2: TestClient;
let b1: TestClient;
let aChannel: string;

beforeAll(async () => {
  t = await startTestGateway();
}, 60_000);
afterAll(() => t.close());

beforeEach(async () => {
  a = await t.createUser();
  b = await t.createUser();
  [a1, a2, b1] = await Promise.all([
    t.connect({ token: a.token }),
    t.connect({ token: a.token }),
    t.connect({ token: b.token }),
  ]);
  aChannel = toDirectChannel(a.userId, "concierge");
});

const DENIED = { status: "ERROR", code: "forbidden:channel", message: CHANNEL_ACCESS_DENIED };
const send = (socket: TestClient, channel: unknown, clientMessageId: string, body = "hello") =>
  emitAck(socket, "message:send", { channel, clientMessageId, body });

describe("channel access", () => {
  it("channel:join builds the caller's own channel from its user id", async () => {
    const ack = await emitAck(a1, "channel:join", { agentId: "concierge" });
    expect(ack).toEqual({
      status: "OK",
      data: { channel: aChannel, messages: [], generations: [], allowance: null },
    });
    const bAck = await emitAck(b1, "channel:join", { agentId: "concierge" });
    expect(bAck.status === "OK" && bAck.data.channel).toBe(toDirectChannel(b.userId, "concierge"));
  });

  it("refuses B's history and send on A's channel with the exact denial, storing nothing", async () => {
    await emitAck(a1, "channel:join", { agentId: "concierge" });
    expect(await emitAck(b1, "channel:history", { channel: aChannel, after: 0 })).toEqual(DENIED);
    expect(await send(b1, aChannel, "b1")).toEqual(DENIED);
    const { rows } = await t.db.query("SELECT id FROM messages WHERE channel = $1", [aChannel]);
    expect(rows).toHaveLength(0);
  });

  it("gives B no way to join A's channel through channel:join", async () => {
    for (const agentId of [aChannel, `${a.userId}-concierge`, a.userId, "concierge-x", ""]) {
      const ack = await emitAck(b1, "channel:join", { agentId });
      expect(ack.status).toBe("ERROR");
    }
    expect(await emitAck(b1, "channel:join", { agentId: "nobody" })).toEqual({
      status: "ERROR",
      code: "not_found:agent",
      message: expect.any(String),
    });
  });

  it("denies crafted and malformed channel names the same way", async () => {
    const crafted: unknown[] = [
      "",
      "direct",
      "direct-",
      `direct-${b.userId}`,
      `direct-${b.userId}-`,
      `direct-${b.userId}-concierge-extra`,
      `direct-${b.userId}-concierge `,
      ` direct-${b.userId}-concierge`,
      `Direct-${b.userId}-concierge`,
      `direct-${b.userId}-nobody`,
      `direct-concierge-${b.userId}`,
      `direct-${a.userId}-${b.userId}`,
      `direct-${b.userId}-${"a".repeat(300)}`,
      `${aChannel}\u0000`,
      null,
      42,
      {},
      [toDirectChannel(b.userId, "concierge")],
      { toString: () => toDirectChannel(b.userId, "concierge") },
    ];
    for (const channel of crafted) {
      expect(await emitAck(b1, "channel:history", { channel, after: 0 })).toEqual(DENIED);
      expect(await send(b1, channel, "crafted")).toEqual(DENIED);
    }
    const { rows } = await t.db.query("SELECT id FROM messages WHERE author_id = $1", [b.userId]);
    expect(rows).toHaveLength(0);
  });

  it("refuses a missing channel field as a denial and malformed payloads as bad requests", async () => {
    expect(await emitAck(b1, "channel:history", { after: 0 })).toEqual(DENIED);
    for (const payload of [null, "x", 7, { channel: aChannel }, { channel: aChannel, after: -1 }]) {
      const ack = await emitAck(b1, "channel:history", payload);
      expect(ack).toMatchObject({ status: "ERROR", code: "bad_request:payload" });
    }
    expect(await emitAck(b1, "channel:join", { agentId: 5 })).toMatchObject({
      code: "bad_request:payload",
    });
  });

  it("delivers A's messages to both of A's sockets and zero to B", async () => {
    const seenByA1 = collect(a1, "message:created");
    const seenByA2 = collect(a2, "message:created");
    const seenByB = [...[collect(b1, "message:created")], ...[collect(b1, "message:delta")]];
    await emitAck(a1, "channel:join", { agentId: "concierge" });
    await emitAck(a1, "channel:join", { agentId: "storyteller" });
    const story = toDirectChannel(a.userId, "storyteller");
    expect((await send(a1, aChannel, "m1", "hello")).status).toBe("OK");
    expect((await send(a1, story, "m2", "a story about a fox")).status).toBe("OK");
    // a2 never joined: it still gets both messages and both agent answers.
    await waitFor(() => seenByA2.length === 4 && seenByA1.length === 4);
    expect(new Set(seenByA1.map((m) => m.id))).toEqual(new Set(seenByA2.map((m) => m.id)));
    expect(seenByA2.filter((m) => m.authorId === a.userId).map((m) => m.body)).toEqual([
      "hello",
      "a story about a fox",
    ]);
    await pause(100);
    expect(seenByB.flat()).toEqual([]);
  });

  it("keeps B's own traffic away from A", async () => {
    const seenByA = [collect(a1, "message:created"), collect(a2, "message:delta")];
    const bChannel = toDirectChannel(b.userId, "storyteller");
    await emitAck(b1, "channel:join", { agentId: "storyteller" });
    const seenByB = collect(b1, "message:created");
    expect((await send(b1, bChannel, "x1", "about a cat")).status).toBe("OK");
    await waitFor(() => seenByB.length === 2);
    await pause(50);
    expect(seenByA.flat()).toEqual([]);
  });
});
