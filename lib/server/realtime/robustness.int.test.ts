import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import { createConcierge } from "../agents/concierge";
import { createAgentRegistry } from "../agents/registry";
import type { Agent } from "../agents/types";
import type { Db } from "../db/types";
import {
  collect,
  emitAck,
  startTestGateway,
  type TestGateway,
  waitFor,
} from "./testing/gateway-harness";

const FAILING_AFTER = 666;

const flaky: Agent = {
  id: "flaky",
  name: "Flaky",
  description: "Streams one piece, then throws.",
  streams: true,
  suggestions: [],
  async *reply() {
    yield "Half an ans";
    throw new Error("provider went away");
  },
};
const mute: Agent = {
  id: "mute",
  name: "Mute",
  description: "Says nothing.",
  streams: false,
  suggestions: [],
  async *reply() {},
};

let t: TestGateway;
beforeAll(async () => {
  const failing = (db: Db): Db => ({
    ...db,
    query(sql, params) {
      if (params?.[1] === FAILING_AFTER) return Promise.reject(new Error("db: simulated outage"));
      return db.query(sql, params);
    },
  });
  t = await startTestGateway({
    agents: createAgentRegistry([createConcierge(), flaky, mute]),
    wrapDb: failing,
  });
}, 60_000);
afterAll(() => t.close());

describe("gateway robustness", () => {
  it.each([
    ["a NUL", "before\u0000after"],
    ["a lone surrogate", "broken \uD83D here"],
    ["a lone low surrogate", "\uDC4B"],
  ])(
    "refuses a message body with %s as bad_request:payload and stores nothing",
    async (_, body) => {
      const a = await t.createUser();
      const socket = await t.connect({ token: a.token });
      const channel = toDirectChannel(a.userId, "concierge");
      expect(
        await emitAck(socket, "message:send", { channel, clientMessageId: "cm_bad", body }),
      ).toMatchObject({ status: "ERROR", code: "bad_request:payload" });
      const history = await emitAck(socket, "channel:history", { channel, after: 0 });
      expect(history).toMatchObject({ status: "OK", data: { messages: [] } });
      // The socket stays usable, and a well-formed body with an emoji is stored exactly.
      const sent = "still here 👋🏽";
      expect(
        await emitAck(socket, "message:send", { channel, clientMessageId: "cm_ok", body: sent }),
      ).toMatchObject({ status: "OK", data: { message: { body: sent } } });
      socket.disconnect();
    },
  );

  it("answers a handler's thrown error with internal:server and keeps the socket", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const channel = toDirectChannel(a.userId, "concierge");
    expect(await emitAck(socket, "channel:history", { channel, after: FAILING_AFTER })).toEqual({
      status: "ERROR",
      code: "internal:server",
      message: expect.any(String),
    });
    expect((await emitAck(socket, "channel:history", { channel, after: 0 })).status).toBe("OK");
  });

  it("tolerates events sent without an ack, or with a non-function in its place", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const created = collect(socket, "message:created");
    const channel = toDirectChannel(a.userId, "concierge");
    socket.emit(
      "message:send",
      { channel, clientMessageId: "no-ack", body: "hello" },
      undefined as never,
    );
    (socket.emit as (...args: unknown[]) => void)("agent:list", {}, "not a function");
    (socket.emit as (...args: unknown[]) => void)("agent:list");
    await waitFor(() => created.length === 2);
    expect(socket.connected).toBe(true);
    expect(await emitAck(socket, "agent:list", undefined)).toMatchObject({ status: "OK" });
  });

  it("lists the configured agents", async () => {
    const socket = await t.connect({ token: (await t.createUser()).token });
    const ack = await emitAck(socket, "agent:list", {});
    expect(ack.status === "OK" && ack.data.agents.map((agent) => agent.id)).toEqual([
      "concierge",
      "flaky",
      "mute",
    ]);
  });

  it("stores a failed answer (with the partial text and a note) under the deltas' id when an agent fails", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const deltas = collect(socket, "message:delta");
    const created = collect(socket, "message:created");
    const channel = toDirectChannel(a.userId, "flaky");
    await emitAck(socket, "message:send", { channel, clientMessageId: "f1", body: "go" });
    await waitFor(() => created.length === 2);
    const answer = created[1];
    expect(deltas.map((d) => d.text)).toEqual(["Half an ans"]);
    expect(answer?.id).toBe(deltas[0]?.messageId);
    expect(answer).toMatchObject({
      body: "Half an ans",
      status: "failed",
      note: expect.stringMatching(/^Sorry, the agent could not answer/),
    });
  });

  it("stores a failed answer with a note when an agent says nothing", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const created = collect(socket, "message:created");
    const channel = toDirectChannel(a.userId, "mute");
    await emitAck(socket, "message:send", { channel, clientMessageId: "m1", body: "hello?" });
    await waitFor(() => created.length === 2);
    expect(created[1]).toMatchObject({
      authorId: "mute",
      seq: 2,
      body: "",
      status: "failed",
      note: expect.stringMatching(/gave no answer/),
    });
  });
});
