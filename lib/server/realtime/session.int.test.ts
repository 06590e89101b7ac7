import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOCKET_TOKEN_TTL_IN_SECONDS } from "../common/socket-tokens";
import type { Db } from "../db/types";
import {
  collect,
  emitAck,
  pause,
  startTestGateway,
  type TestClient,
  type TestGateway,
  waitFor,
} from "./testing/gateway-harness";

let t: TestGateway;
/**
 * Called (synchronously, inside the first handler's run) when a send starts writing: lets a
 * test revoke while the rest of a pipeline is still on the wire.
 */
let onChannelWrite: (() => void) | null = null;

beforeAll(async () => {
  const observe = (db: Db): Db => ({
    ...db,
    query(sql, params) {
      if (sql.startsWith("INSERT INTO channels")) onChannelWrite?.();
      return db.query(sql, params);
    },
  });
  t = await startTestGateway({ wrapDb: observe });
}, 60_000);
afterAll(() => t.close());

function disconnected(socket: TestClient): Promise<string> {
  return new Promise((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
}

describe("session changes", () => {
  it("applySessionChange tells the session's sockets, disconnects them, and refuses reconnects", async () => {
    const a = await t.createUser();
    const [s1, s2] = await Promise.all([
      t.connect({ token: a.token }),
      t.connect({ token: a.token }),
    ]);
    const revoked = collect(s1, "session:revoked");
    const gone = Promise.all([disconnected(s1), disconnected(s2)]);
    t.sessionStates.set(a.sessionId, { userId: a.userId, generation: 2, revoked: true });
    t.gateway.applySessionChange({ sessionId: a.sessionId, generation: 2, revoked: true });
    expect(await gone).toEqual(["io server disconnect", "io server disconnect"]);
    expect(revoked).toEqual([{ reason: "revoked" }]);
    await expect(t.connect({ token: a.token })).rejects.toThrow("unauthorized");
  });

  it("a rotate refuses the old generation's events at once but lets its sockets refresh in place", async () => {
    const a = await t.createUser();
    const otherSession = { userId: a.userId, sessionId: `${a.sessionId}_2` };
    t.sessionStates.set(otherSession.sessionId, {
      userId: a.userId,
      generation: 1,
      revoked: false,
    });
    const old = await t.connect({ token: a.token });
    const keeper = await t.connect({ token: await t.mintToken(otherSession) });
    const rotated = collect(old, "session:rotated");
    t.sessionStates.set(a.sessionId, { userId: a.userId, generation: 2, revoked: false });
    await t.gateway.applySessionChange({ sessionId: a.sessionId, generation: 2, revoked: false });
    expect(await emitAck(old, "agent:list", {})).toMatchObject({
      status: "ERROR",
      code: "stale:token",
    });
    expect(old.connected).toBe(true);
    await waitFor(() => rotated.length === 1);
    expect(rotated).toEqual([{ generation: 2 }]);
    // The old generation's token cannot come back; the new one can, in place.
    expect(await emitAck(old, "token:refresh", { token: a.token })).toMatchObject({
      status: "ERROR",
    });
    expect((await emitAck(old, "token:refresh", { token: await t.mintToken(a, 2) })).status).toBe(
      "OK",
    );
    expect((await emitAck(old, "agent:list", {})).status).toBe("OK");
    expect((await emitAck(keeper, "agent:list", {})).status).toBe("OK");
    await expect(t.connect({ token: a.token })).rejects.toThrow("unauthorized");
  });

  it("refuses the next event once the generation moved, even before anything else happens", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    // Simulates a change that reached this node's table but not yet its sockets.
    t.gateway.sessions.record(a.sessionId, { generation: 2, revoked: false });
    expect(await emitAck(socket, "agent:list", {})).toEqual({
      status: "ERROR",
      code: "stale:token",
      message: expect.any(String),
    });
    t.gateway.sessions.record(a.sessionId, { generation: 2, revoked: true });
    const gone = disconnected(socket);
    expect(await emitAck(socket, "agent:list", {})).toMatchObject({ code: "revoked:session" });
    expect(await gone).toBe("io server disconnect");
  });

  it("accepts zero events pipelined behind a revoke", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const join = await emitAck(socket, "channel:join", { agentId: "concierge" });
    const channel = join.status === "OK" ? join.data.channel : "";
    onChannelWrite = () => {
      onChannelWrite = null;
      t.gateway.applySessionChange({ sessionId: a.sessionId, generation: 2, revoked: true });
    };
    const acks = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        emitAck(socket, "message:send", { channel, clientMessageId: `p${i}`, body: "hi" }, 1000),
      ),
    );
    expect(onChannelWrite).toBeNull();
    const accepted = acks.filter((r) => r.status === "fulfilled" && r.value.status === "OK");
    expect(accepted).toEqual([]);
    await pause(50);
    const { rows } = await t.db.query(
      "SELECT client_message_id FROM messages WHERE channel = $1 AND author_kind = 'user'",
      [channel],
    );
    // None, not even p0: it passed the per-event check before the revoke, but the send
    // checks again right before its write.
    expect(rows).toEqual([]);
  });

  it("refuses events once the socket's token expired, and a refresh revives it", async () => {
    const a = await t.createUser();
    const issued = new Date(Date.now() - SOCKET_TOKEN_TTL_IN_SECONDS * 1000 + 2000);
    const expiring = await t.connect({ token: await t.mintToken(a, 1, issued) });
    const reviving = await t.connect({ token: await t.mintToken(a, 1, issued) });
    await pause(2100);
    const gone = disconnected(expiring);
    expect(await emitAck(expiring, "agent:list", {})).toMatchObject({
      status: "ERROR",
      code: "unauthorized:token",
    });
    expect(await gone).toBe("io server disconnect");
    expect((await emitAck(reviving, "token:refresh", { token: a.token })).status).toBe("OK");
    expect((await emitAck(reviving, "agent:list", {})).status).toBe("OK");
  }, 10_000);
});

describe("token:refresh", () => {
  it("swaps in a fresh token for the same user", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const ack = await emitAck(socket, "token:refresh", { token: await t.mintToken(a) });
    expect(ack.status).toBe("OK");
    if (ack.status === "OK") expect(Date.parse(ack.data.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("refuses another user's token and keeps the socket's identity", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const socket = await t.connect({ token: a.token });
    expect(await emitAck(socket, "token:refresh", { token: b.token })).toMatchObject({
      status: "ERROR",
      code: "unauthorized:token",
    });
    const join = await emitAck(socket, "channel:join", { agentId: "concierge" });
    expect(join.status === "OK" && join.data.channel).toBe(`direct-${a.userId}-concierge`);
    // B's revocation does not touch A's socket, which still acts as A.
    t.gateway.applySessionChange({ sessionId: b.sessionId, generation: 2, revoked: true });
    expect((await emitAck(socket, "agent:list", {})).status).toBe("OK");
  });

  it("refuses garbage and revoked-session tokens", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    for (const token of ["garbage", ""]) {
      expect((await emitAck(socket, "token:refresh", { token })).status).toBe("ERROR");
    }
    const otherSession = { userId: a.userId, sessionId: `${a.sessionId}_x` };
    t.sessionStates.set(otherSession.sessionId, { userId: a.userId, generation: 1, revoked: true });
    const ack = await emitAck(socket, "token:refresh", { token: await t.mintToken(otherSession) });
    expect(ack).toMatchObject({ status: "ERROR", code: "unauthorized:token" });
    expect((await emitAck(socket, "agent:list", {})).status).toBe("OK");
  });

  it("moves the socket to the new session: the old one's revoke no longer closes it", async () => {
    const a = await t.createUser();
    const next = { userId: a.userId, sessionId: `${a.sessionId}_n` };
    t.sessionStates.set(next.sessionId, { userId: a.userId, generation: 1, revoked: false });
    const socket = await t.connect({ token: a.token });
    const ack = await emitAck(socket, "token:refresh", { token: await t.mintToken(next) });
    expect(ack.status).toBe("OK");
    t.gateway.applySessionChange({ sessionId: a.sessionId, generation: 2, revoked: true });
    expect((await emitAck(socket, "agent:list", {})).status).toBe("OK");
    const gone = disconnected(socket);
    t.gateway.applySessionChange({ sessionId: next.sessionId, generation: 2, revoked: true });
    expect(await gone).toBe("io server disconnect");
    await waitFor(() => !socket.connected);
  });
});
