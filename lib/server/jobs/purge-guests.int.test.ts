import { afterEach, describe, expect, it } from "vitest";
import {
  collect,
  startTestGateway,
  type TestGateway,
  waitFor,
} from "../realtime/testing/gateway-harness";
import { readGuestPurgeOptions, startGuestPurgeJob } from "./purge-guests";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("the guest purge job", () => {
  it("removes an abandoned guest, closes its sockets, and a second run does nothing", async () => {
    t = await startTestGateway();
    const gateway = t;
    const abandoned = await gateway.createUser();
    const active = await gateway.createUser();
    for (const user of [abandoned, active]) {
      await gateway.db.query(
        "INSERT INTO sessions (id, user_id, kind, secret_hash) VALUES ($1, $2, 'guest', $3)",
        [user.sessionId, user.userId, `h_${user.sessionId}`],
      );
    }
    await gateway.db.query(
      "UPDATE users SET last_active_at = now() - interval '31 days' WHERE id = $1",
      [abandoned.userId],
    );
    const gone = await gateway.connect({ token: abandoned.token });
    const kept = await gateway.connect({ token: active.token });
    const notices = collect(gone, "session:revoked");

    const logs: string[] = [];
    const job = startGuestPurgeJob({
      db: gateway.db,
      options: { maxIdleInDays: 30, intervalInSeconds: 3600, retentionInDays: Infinity },
      onSessionsEnded: (ended) => {
        for (const e of ended) gateway.gateway.applySessionChange({ ...e, revoked: true });
      },
      log: (event) => logs.push(event),
    });
    try {
      const first = await job.runOnce();
      expect(first.users).toBe(1);
      expect(first.endedSessions.map((e) => e.sessionId)).toEqual([abandoned.sessionId]);
      await waitFor(() => !gone.connected);
      expect(notices).toEqual([{ reason: "revoked" }]);
      expect(kept.connected).toBe(true);
      expect(logs).toContain("guests.purged");
      expect((await job.runOnce()).users).toBe(0);
      const { rows } = await gateway.db.query("SELECT id FROM users WHERE id = $1", [
        abandoned.userId,
      ]);
      expect(rows).toEqual([]);
    } finally {
      job.stop();
    }
  });

  it("reads its settings, refusing nonsense with the variable's name", () => {
    expect(readGuestPurgeOptions({})).toEqual({
      maxIdleInDays: 30,
      intervalInSeconds: 3600,
      retentionInDays: 365,
    });
    expect(readGuestPurgeOptions({ FOYER_RETENTION_DAYS: "90" }).retentionInDays).toBe(90);
    expect(readGuestPurgeOptions({ FOYER_RETENTION_DAYS: "forever" }).retentionInDays).toBe(
      Infinity,
    );
    expect(() => readGuestPurgeOptions({ FOYER_RETENTION_DAYS: "-1" })).toThrow(
      "FOYER_RETENTION_DAYS",
    );
    expect(readGuestPurgeOptions({ FOYER_GUEST_MAX_IDLE_IN_DAYS: "7" }).maxIdleInDays).toBe(7);
    expect(() => readGuestPurgeOptions({ FOYER_GUEST_MAX_IDLE_IN_DAYS: "soon" })).toThrow(
      "FOYER_GUEST_MAX_IDLE_IN_DAYS",
    );
  });

  it("deletes messages past the retention, members' too, and keeps the rest and the sequences", async () => {
    t = await startTestGateway();
    const gateway = t;
    const user = await gateway.createUser();
    const socket = await gateway.connect({ token: user.token });
    const channel = `direct-${user.userId}-concierge`;
    for (const id of ["old1", "old2", "new1"]) {
      const ack = await socket.emitWithAck("message:send", {
        channel,
        clientMessageId: id,
        body: `body ${id}`,
      });
      expect(ack.status).toBe("OK");
    }
    await gateway.db.query(
      `UPDATE messages SET created_at = now() - interval '40 days'
       WHERE client_message_id IN ('old1', 'old2')`,
    );
    const logs: string[] = [];
    const job = startGuestPurgeJob({
      db: gateway.db,
      options: { maxIdleInDays: 30, intervalInSeconds: 3600, retentionInDays: 30 },
      onSessionsEnded: () => {},
      log: (event) => logs.push(event),
    });
    try {
      const result = await job.runOnce();
      expect(result.messages).toBe(2);
      expect(logs).toContain("messages.retention_purged");
      const { rows } = await gateway.db.query<{ client_message_id: string | null; seq: string }>(
        "SELECT client_message_id, seq FROM messages WHERE author_kind = 'user' ORDER BY seq",
      );
      expect(rows.map((r) => r.client_message_id)).toEqual(["new1"]);
      expect(Number(rows[0]?.seq)).toBeGreaterThan(2);
      expect((await job.runOnce()).messages).toBe(0);
    } finally {
      job.stop();
    }
  });
});
