import { afterEach, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
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

/** An agent that answers after `delayInMs`, in two pieces. */
function slowAgent(delayInMs: number): Agent {
  return {
    id: "slow",
    name: "Slow",
    description: "Takes its time.",
    streams: true,
    suggestions: [],
    async *reply({ signal }) {
      yield "Thinking";
      // Like a model's stream, it gives up when told to.
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delayInMs);
        signal.addEventListener("abort", () => resolve(clearTimeout(timer)), { once: true });
      });
      if (!signal.aborted) yield " done.";
    },
  };
}

/** Message writes that started, so a test knows when its sends are in flight. */
let writesStarted = 0;

/** A store whose message writes take `delayInMs`, so that sends are in flight for a while. */
const slowWrites =
  (delayInMs: number) =>
  (db: Db): Db => ({
    ...db,
    async query(sql, params) {
      if (/INSERT INTO messages/i.test(sql)) {
        writesStarted += 1;
        await new Promise((resolve) => setTimeout(resolve, delayInMs));
      }
      return db.query(sql, params);
    },
  });

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("a draining shutdown", () => {
  it("answers the sends it took, refuses new ones with unavailable:node, lets a reply finish, then disconnects", async () => {
    t = await startTestGateway({
      agents: createAgentRegistry([slowAgent(300)]),
      wrapDb: slowWrites(150),
    });
    const gateway = t;
    const a = await gateway.createUser();
    const socket = await gateway.connect({ token: a.token });
    const channel = toDirectChannel(a.userId, "slow");
    const created = collect(socket, "message:created");
    // One answered first, so the agent is mid-reply when the drain starts.
    expect(
      (await emitAck(socket, "message:send", { channel, clientMessageId: "m0", body: "q" })).status,
    ).toBe("OK");
    const before = writesStarted;
    const inFlight = [1, 2, 3].map((i) =>
      emitAck(socket, "message:send", { channel, clientMessageId: `m${i}`, body: `q${i}` }, 5_000),
    );
    // The three user messages are being written (an agent's reply may write too).
    await waitFor(() => writesStarted - before >= 3, 10_000);
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    const closing = gateway.gateway.close(5_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const late = await emitAck(socket, "message:send", {
      channel,
      clientMessageId: "late",
      body: "too late",
    });
    expect(late).toMatchObject({ status: "ERROR", code: "unavailable:node" });
    expect((await Promise.all(inFlight)).map((ack) => ack.status)).toEqual(["OK", "OK", "OK"]);
    await closing;
    expect(await disconnected).toBeTruthy();
    // The sockets went as soon as the events were answered (to reconnect elsewhere); the
    // replies running then still finished and were stored whole, for the next fetch.
    const pushedBeforeTheDrain = created.filter((m: ChatMessage) => m.authorKind === "agent");
    expect(pushedBeforeTheDrain.every((m) => m.body === "Thinking done.")).toBe(true);
    const answers = await gateway.db.query<{ body: string }>(
      "SELECT body FROM messages WHERE author_kind = 'agent' ORDER BY seq",
    );
    expect(answers.rows.map((r) => r.body)).toEqual(Array(4).fill("Thinking done."));
    const { rows } = await gateway.db.query<{ client_message_id: string | null }>(
      "SELECT client_message_id FROM messages WHERE author_kind = 'user' ORDER BY seq",
    );
    expect(rows.map((r) => r.client_message_id)).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("aborts an answer still running when the grace runs out, stores it interrupted, and closes on time", async () => {
    t = await startTestGateway({ agents: createAgentRegistry([slowAgent(10_000)]) });
    const gateway = t;
    const a = await gateway.createUser();
    const socket = await gateway.connect({ token: a.token });
    const channel = toDirectChannel(a.userId, "slow");
    await emitAck(socket, "message:send", { channel, clientMessageId: "m0", body: "q" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await gateway.gateway.close(300);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
    // The aborted answer is stored as interrupted with what it had: no tab keeps "typing…",
    // and the person can retry.
    const { rows } = await gateway.db.query<{ body: string; status: string }>(
      "SELECT body, status FROM messages WHERE author_kind = 'agent'",
    );
    expect(rows).toEqual([{ body: "Thinking", status: "interrupted" }]);
    const generations = await gateway.db.query<{ status: string }>(
      "SELECT status FROM generations",
    );
    expect(generations.rows).toEqual([{ status: "interrupted" }]);
  });
});
