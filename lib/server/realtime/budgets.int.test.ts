import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import { type SocketBudgets, UNLIMITED_SOCKET_BUDGETS } from "./budgets";
import { TOO_MANY_SOCKETS } from "./handshake";
import {
  emitAck,
  pause,
  startTestGateway,
  type TestClient,
  type TestGateway,
} from "./testing/gateway-harness";

/** Tight on purpose, so that each limit triggers within a few events. */
const BUDGETS: SocketBudgets = {
  ...UNLIMITED_SOCKET_BUDGETS,
  perSocket: { ...UNLIMITED_SOCKET_BUDGETS.perSocket, send: { capacity: 5, perSecond: 5 } },
  perUser: {
    ...UNLIMITED_SOCKET_BUDGETS.perUser,
    // Refills slowly, so that what a test counts does not depend on how fast the machine is.
    send: { capacity: 8, perSecond: 0.2 },
    read: { capacity: 20, perSecond: 20 },
  },
  socketsPerSession: 3,
  socketsPerUser: 4,
};
/** A bounded flood: this many sends at once, from one socket. */
const FLOOD = 40;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ budgets: BUDGETS });
}, 60_000);
afterAll(() => t.close());

function send(socket: TestClient, channel: string, id: string) {
  return emitAck(socket, "message:send", { channel, clientMessageId: id, body: `m ${id}` }, 5_000);
}

async function stored(socket: TestClient, channel: string): Promise<number> {
  const history = await emitAck(socket, "channel:history", { channel, after: 0 });
  if (history.status !== "OK") throw new Error(`history failed: ${history.code}`);
  return history.data.messages.filter((m) => m.authorKind === "user").length;
}

describe("socket budgets", () => {
  it("a flood from one socket is refused past its bucket with rate_limited:socket and a wait, and nothing refused is stored", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const channel = toDirectChannel(a.userId, "concierge");
    const acks = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) => send(socket, channel, `f${i}`)),
    );
    const accepted = acks.filter((ack) => ack.status === "OK");
    const refused = acks.filter((ack) => ack.status === "ERROR");
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThan(10);
    expect(refused.length).toBe(FLOOD - accepted.length);
    for (const ack of refused) {
      expect(ack).toMatchObject({
        code: "rate_limited:socket",
        message: expect.any(String),
        retryAfterMs: expect.any(Number),
      });
      if (ack.status === "ERROR") expect(ack.retryAfterMs).toBeGreaterThan(0);
    }
    expect(await stored(socket, channel)).toBe(accepted.length);
    // After the wait it says, the same message goes out.
    const wait = refused.at(-1)?.status === "ERROR" ? (refused.at(-1)?.retryAfterMs ?? 0) : 0;
    await pause(wait + 50);
    expect(await send(socket, channel, "after-wait")).toMatchObject({ status: "OK" });
    expect(socket.connected).toBe(true);
  });

  it("a user's sockets share the user's budget: more sockets buy no more sends", async () => {
    const a = await t.createUser();
    const sockets = await Promise.all([1, 2, 3].map(() => t.connect({ token: a.token })));
    const channel = toDirectChannel(a.userId, "concierge");
    const acks = await Promise.all(
      sockets.flatMap((socket, s) =>
        Array.from({ length: 5 }, (_, i) => send(socket, channel, `u${s}_${i}`)),
      ),
    );
    const accepted = acks.filter((ack) => ack.status === "OK").length;
    // Each socket alone would allow 5 (15 in all); the user's bucket holds 8.
    expect(accepted).toBeGreaterThanOrEqual(8);
    expect(accepted).toBeLessThan(11);
  });

  it("refuses a socket past the per-session cap, and the open ones keep working", async () => {
    const a = await t.createUser();
    const open = await Promise.all([1, 2, 3].map(() => t.connect({ token: a.token })));
    await expect(t.connect({ token: a.token })).rejects.toThrow(TOO_MANY_SOCKETS);
    const channel = toDirectChannel(a.userId, "concierge");
    expect(await send(open[0] as TestClient, channel, "still-open")).toMatchObject({
      status: "OK",
    });
    // Closing one makes room again.
    open[2]?.disconnect();
    await pause(50);
    const again = await t.connect({ token: a.token });
    expect(again.connected).toBe(true);
  });

  it("refuses a socket past the per-user cap across the user's sessions", async () => {
    const a = await t.createUser();
    const other = { userId: a.userId, sessionId: `${a.sessionId}b` };
    t.sessionStates.set(other.sessionId, { userId: a.userId, generation: 1, revoked: false });
    const otherToken = await t.mintToken(other);
    await Promise.all([1, 2, 3].map(() => t.connect({ token: a.token })));
    await t.connect({ token: otherToken });
    await expect(t.connect({ token: otherToken })).rejects.toThrow(TOO_MANY_SOCKETS);
  });

  it("serves a bystander while another user floods at its maximum (bounded: 1.5 s)", async () => {
    const flooder = await t.createUser();
    const bystander = await t.createUser();
    const floodSockets = await Promise.all(
      [1, 2, 3].map(() => t.connect({ token: flooder.token })),
    );
    const calm = await t.connect({ token: bystander.token });
    const floodChannel = toDirectChannel(flooder.userId, "concierge");
    const calmChannel = toDirectChannel(bystander.userId, "concierge");
    const until = Date.now() + 1_500;
    let floodRefused = 0;
    // Each flooding socket keeps 10 sends in flight, as fast as the acks come back, until the
    // node disconnects it for not waiting.
    const flood = floodSockets.map(async (socket, s) => {
      for (let i = 0; Date.now() < until && socket.connected; i += 1) {
        const acks = await Promise.allSettled(
          Array.from({ length: 10 }, (_, j) => send(socket, floodChannel, `x${s}_${i}_${j}`)),
        );
        for (const ack of acks) {
          if (ack.status !== "fulfilled") continue;
          if (ack.value.status === "ERROR" && ack.value.code === "rate_limited:socket") {
            floodRefused += 1;
          }
        }
      }
    });
    const calmAcks: string[] = [];
    for (let i = 0; Date.now() < until; i += 1) {
      const ack = await send(calm, calmChannel, `calm${i}`);
      calmAcks.push(ack.status === "OK" ? "OK" : ack.code);
      // A person's pace: inside the bystander's own socket budget (5/s), and its user's
      // bucket of 8 holds the few sends of this window.
      await pause(250);
    }
    await Promise.all(flood);
    expect(floodRefused).toBeGreaterThan(0);
    expect(calmAcks.length).toBeGreaterThanOrEqual(2);
    expect(calmAcks).toEqual(calmAcks.map(() => "OK"));
  });

  it("refuses a guest's messages past the daily cap with a reason, and a resend costs nothing", async () => {
    const capped = await startTestGateway({ dailyCaps: { guest: 3, member: 100 } });
    try {
      const a = await capped.createUser();
      const socket = await capped.connect({ token: a.token });
      const channel = toDirectChannel(a.userId, "concierge");
      const acks = [];
      for (const id of ["d1", "d2", "d1", "d3", "d4", "d3"]) {
        acks.push(await send(socket, channel, id));
      }
      // d3 is the last the day allows; its resend past the cap is still answered.
      expect(acks.map((ack) => (ack.status === "OK" ? "OK" : ack.code))).toEqual([
        "OK",
        "OK",
        "OK",
        "OK",
        "quota_exceeded:daily_messages",
        "OK",
      ]);
      expect(acks[4]).toMatchObject({ message: expect.stringContaining("Sign up") });
      expect(await stored(socket, channel)).toBe(3);
    } finally {
      await capped.close();
    }
  });

  it("refuses events past the in-flight cap with a short wait, and answers the rest", async () => {
    const slow = await startTestGateway({
      budgets: { ...UNLIMITED_SOCKET_BUDGETS, inFlightPerSocket: 2 },
      wrapDb: (db) => ({
        ...db,
        async query(sql, params) {
          if (/INSERT INTO messages/i.test(sql)) await pause(200);
          return db.query(sql, params);
        },
      }),
    });
    try {
      const a = await slow.createUser();
      const socket = await slow.connect({ token: a.token });
      const channel = toDirectChannel(a.userId, "concierge");
      const acks = await Promise.all([1, 2, 3, 4, 5].map((i) => send(socket, channel, `f${i}`)));
      const codes = acks.map((ack) => (ack.status === "OK" ? "OK" : ack.code));
      expect(codes.filter((c) => c === "OK")).toHaveLength(2);
      expect(codes.filter((c) => c === "rate_limited:socket")).toHaveLength(3);
      for (const ack of acks) if (ack.status === "ERROR") expect(ack.retryAfterMs).toBe(250);
    } finally {
      await slow.close();
    }
  });

  it("disconnects a socket that keeps sending while it is told to wait", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const channel = toDirectChannel(a.userId, "concierge");
    const gone = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    // Far more than the budget and the patience: 5 accepted, then refusals until it goes.
    const acks = await Promise.allSettled(
      Array.from({ length: 80 }, (_, i) => send(socket, channel, `flood${i}`)),
    );
    expect(await gone).toBe("io server disconnect");
    const refused = acks.filter(
      (r) => r.status === "fulfilled" && r.value.status === "ERROR",
    ).length;
    expect(refused).toBeGreaterThanOrEqual(50);
  });
});
