import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import { createPostgresStore, type TestStore } from "../db/testing/stores";
import { type SocketBudgets, UNLIMITED_SOCKET_BUDGETS } from "../realtime/budgets";
import { emitAck, pause } from "../realtime/testing/gateway-harness";
import {
  connectTo,
  createGuest,
  startTestNode,
  type TestClient,
  type TestNode,
} from "../testing/cluster-harness";

/**
 * Two nodes on the machine's Redis and PostgreSQL: a user's budget is one across them. Only
 * the user's `send` bucket is limited, refilling so slowly that what a test counts is what
 * the bucket held.
 */
const REDIS_URL = process.env.FOYER_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const BUDGETS: SocketBudgets = {
  ...UNLIMITED_SOCKET_BUDGETS,
  perUser: { ...UNLIMITED_SOCKET_BUDGETS.perUser, send: { capacity: 10, perSecond: 0.05 } },
};
/** Several of the nodes' report intervals (250 ms): long enough for a report to arrive. */
const REPORT_WAIT_IN_MS = 1_000;

let store: TestStore;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  store = await createPostgresStore();
  a = await startTestNode("A", { store, redisUrl: REDIS_URL, budgets: BUDGETS });
  b = await startTestNode("B", { store, redisUrl: REDIS_URL, budgets: BUDGETS });
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await store?.dispose();
});

async function sendMany(socket: TestClient, channel: string, prefix: string, count: number) {
  const acks = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      emitAck(socket, "message:send", { channel, clientMessageId: `${prefix}${i}`, body: "x" }),
    ),
  );
  return acks.map((ack) => (ack.status === "OK" ? "OK" : ack.code));
}

describe("a user's socket budget across nodes", () => {
  it("what a user spent on one node is spent on the other: two nodes buy no second budget", async () => {
    const guest = await createGuest(a);
    const onA = await connectTo(a.node.url, guest.token);
    const onB = await connectTo(b.node.url, guest.token);
    const channel = toDirectChannel(guest.userId, "concierge");
    try {
      expect(await sendMany(onA, channel, "a", 10)).toEqual(Array(10).fill("OK"));
      await pause(REPORT_WAIT_IN_MS);
      // Node B heard that the user's bucket is empty: its sends wait too.
      const onNodeB = await sendMany(onB, channel, "b", 5);
      expect(onNodeB).toEqual(Array(5).fill("rate_limited:socket"));
    } finally {
      onA.disconnect();
      onB.disconnect();
    }
  });

  it("leaves other users' budgets alone", async () => {
    const spender = await createGuest(a);
    const other = await createGuest(a);
    const spenderOnA = await connectTo(a.node.url, spender.token);
    const otherOnB = await connectTo(b.node.url, other.token);
    try {
      await sendMany(spenderOnA, toDirectChannel(spender.userId, "concierge"), "s", 10);
      await pause(REPORT_WAIT_IN_MS);
      const channel = toDirectChannel(other.userId, "concierge");
      expect(await sendMany(otherOnB, channel, "o", 5)).toEqual(Array(5).fill("OK"));
    } finally {
      spenderOnA.disconnect();
      otherOnB.disconnect();
    }
  });
});
