import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDirectChannel } from "../../shared/realtime/channels";
import { migrate } from "../db/migrate";
import { MIGRATIONS } from "../db/migrations";
import { openDatabase } from "../db/open";
import { createPgliteStore, createPostgresStore, type TestStore } from "../db/testing/stores";
import type { Db } from "../db/types";
import { mergeGuestIntoMember } from "./merge";
import { appendMessage, ensureChannel, listMessagesAfter } from "./messages";
import { purgeGuests } from "./purge";
import {
  createSession,
  findSessionBySecretHash,
  getSessionState,
  listLiveSessions,
  revokeSession,
  revokeUserSessions,
  rotateSessionSecret,
  touchSession,
} from "./sessions";
import { listStars, setStar } from "./stars";
import {
  createGuestUser,
  createMemberUser,
  findMemberByEmail,
  getPreferences,
  getUserById,
  updatePreferences,
} from "./users";

const STORES = [
  { name: "pglite", dialect: "pglite", create: createPgliteStore },
  { name: "postgres", dialect: "postgres", create: createPostgresStore },
] as const;

describe.each(STORES)("store on $name", ({ dialect, create }) => {
  let store: TestStore;
  let db: Db;

  beforeAll(async () => {
    store = await create();
    db = await store.open();
  });

  afterAll(async () => {
    await db?.close();
    await store?.dispose();
  });

  it("opens the expected dialect and returns int8 as numbers", async () => {
    expect(db.dialect).toBe(dialect);
    const { rows } = await db.query<{ n: unknown; c: unknown }>(
      "SELECT 9007199254740991::bigint AS n, count(*) AS c FROM (VALUES (1), (2)) v(x)",
    );
    expect(rows[0]).toEqual({ n: 9007199254740991, c: 2 });
  });

  it("refuses an int8 beyond 2^53 instead of rounding it", async () => {
    await expect(db.query("SELECT 9007199254740993::bigint AS n")).rejects.toThrow(/db: int8/);
  });

  it("migrates, and a second run applies nothing", async () => {
    expect((await migrate(db)).applied).toEqual(MIGRATIONS.map((m) => m.id));
    expect((await migrate(db)).applied).toEqual([]);
    const { rows } = await db.query<{ id: number }>("SELECT id FROM schema_migrations ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it("rolls a transaction back when its callback throws", async () => {
    await expect(
      db.transaction(async (tx) => {
        await createGuestUser(tx, "usr_rolledback");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await getUserById(db, "usr_rolledback")).toBeNull();
  });

  it("creates a guest and a session, and finds the session by its secret hash", async () => {
    const user = await createGuestUser(db);
    expect(user).toMatchObject({ kind: "guest", email: null });
    expect(user.id).toMatch(/^usr_[A-Za-z0-9_]+$/);
    const session = await createSession(db, {
      userId: user.id,
      kind: "guest",
      secretHash: "h1",
      userAgent: "ua",
    });
    expect(session).toMatchObject({
      userId: user.id,
      kind: "guest",
      generation: 1,
      revokedAt: null,
    });
    expect(session.id).toMatch(/^ses_/);
    expect(await findSessionBySecretHash(db, "h1")).toEqual(session);
    expect(await findSessionBySecretHash(db, "nope")).toBeNull();
    expect(await getSessionState(db, session.id)).toEqual({
      userId: user.id,
      kind: "guest",
      generation: 1,
      revoked: false,
      expiresAt: null,
    });
    expect(await getSessionState(db, "ses_missing")).toBeNull();
  });

  it("refuses two sessions with one secret hash", async () => {
    const user = await createGuestUser(db);
    await createSession(db, { userId: user.id, kind: "guest", secretHash: "dup" });
    await expect(
      createSession(db, { userId: user.id, kind: "guest", secretHash: "dup" }),
    ).rejects.toThrow();
  });

  it("revokes: bumps the generation each time and marks the session revoked", async () => {
    const user = await createGuestUser(db);
    const session = await createSession(db, { userId: user.id, kind: "guest", secretHash: "h2" });
    expect(await revokeSession(db, session.id)).toEqual({
      sessionId: session.id,
      userId: user.id,
      generation: 2,
    });
    const revoked = await findSessionBySecretHash(db, "h2");
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await getSessionState(db, session.id)).toMatchObject({ generation: 2, revoked: true });
    expect((await revokeSession(db, session.id))?.generation).toBe(3);
    expect((await findSessionBySecretHash(db, "h2"))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await revokeSession(db, "ses_missing")).toBeNull();
  });

  it("touches last_seen_at", async () => {
    const user = await createGuestUser(db);
    const session = await createSession(db, { userId: user.id, kind: "guest", secretHash: "h3" });
    await db.query("UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE id = $1", [
      session.id,
    ]);
    await touchSession(db, session.id);
    const touched = await findSessionBySecretHash(db, "h3");
    expect(Date.now() - (touched?.lastSeenAt.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it("rotates a live session's secret once (compare-and-set), never a revoked one", async () => {
    const user = await createGuestUser(db);
    const session = await createSession(db, { userId: user.id, kind: "guest", secretHash: "old" });
    const input = { sessionId: session.id, expectedSecretHash: "old", newSecretHash: "new" };
    expect(await rotateSessionSecret(db, input)).toBe(true);
    expect(await rotateSessionSecret(db, { ...input, newSecretHash: "other" })).toBe(false);
    expect(await findSessionBySecretHash(db, "old")).toBeNull();
    expect((await findSessionBySecretHash(db, "new"))?.id).toBe(session.id);
    await revokeSession(db, session.id);
    expect(
      await rotateSessionSecret(db, {
        sessionId: session.id,
        expectedSecretHash: "new",
        newSecretHash: "x",
      }),
    ).toBe(false);
  });
});

describe.each(STORES)("members, stars, merge and purge on $name", ({ create }) => {
  let store: TestStore;
  let db: Db;
  let other: Db;

  beforeAll(async () => {
    store = await create();
    db = await store.open();
    await migrate(db);
    // PGlite is one connection per process: the "second connection" is the same handle there.
    other = db.dialect === "postgres" ? await store.open() : db;
  });

  afterAll(async () => {
    if (other !== db) await other?.close();
    await db?.close();
    await store?.dispose();
  });

  async function guestWith(agentId: string, bodies: string[]): Promise<string> {
    const guest = await createGuestUser(db);
    const channel = toDirectChannel(guest.id, agentId);
    await ensureChannel(db, { name: channel, userId: guest.id, agentId });
    for (const body of bodies) {
      await appendMessage(db, {
        channel,
        authorId: guest.id,
        authorKind: "user",
        body,
        clientMessageId: `cm_${body}`,
      });
    }
    await createSession(db, { userId: guest.id, kind: "guest", secretHash: `h_${guest.id}` });
    return guest.id;
  }

  it("appends concurrently with gap-free seqs, and stores a concurrent duplicate once", async () => {
    const user = await createGuestUser(db);
    const channel = toDirectChannel(user.id, "concierge");
    await ensureChannel(db, { name: channel, userId: user.id, agentId: "concierge" });
    const send = (clientMessageId: string | null) =>
      appendMessage(db, {
        channel,
        authorId: clientMessageId ? user.id : "concierge",
        authorKind: clientMessageId ? "user" : "agent",
        body: "hi",
        clientMessageId,
      });
    // On PostgreSQL these race on the pool's connections (PGlite runs them in turn).
    const results = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => send(`c${i}`)),
      ...Array.from({ length: 6 }, () => send("dup")),
      ...Array.from({ length: 4 }, () => send(null)),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(17);
    const dups = results.filter((r) => r.message.clientMessageId === "dup");
    expect(new Set(dups.map((r) => r.message.id)).size).toBe(1);
    const stored = await listMessagesAfter(db, channel, 0);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    const { rows } = await db.query<{ last_seq: number }>(
      "SELECT last_seq FROM channels WHERE name = $1",
      [channel],
    );
    expect(rows[0]?.last_seq).toBe(17);
  });

  it("creates members with unique, case-insensitive emails", async () => {
    const member = await createMemberUser(db, { email: " Ada@Example.TEST ", passwordHash: "h" });
    expect(member).toMatchObject({ kind: "member", email: "ada@example.test" });
    expect(
      await createMemberUser(db, { email: "ADA@example.test", passwordHash: "h2" }),
    ).toBeNull();
    expect(await findMemberByEmail(db, "ada@EXAMPLE.test")).toEqual({
      id: member?.id,
      email: "ada@example.test",
      passwordHash: "h",
    });
    expect(await findMemberByEmail(db, "nobody@example.test")).toBeNull();
  });

  it("stars idempotently and keeps preferences with defaults", async () => {
    const user = await createGuestUser(db);
    await setStar(db, { userId: user.id, agentId: "a1", starred: true });
    await setStar(db, { userId: user.id, agentId: "a1", starred: true });
    await setStar(db, { userId: user.id, agentId: "a2", starred: true });
    await setStar(db, { userId: user.id, agentId: "a2", starred: false });
    expect(await listStars(db, user.id)).toEqual(["a1"]);
    expect(await getPreferences(db, user.id)).toEqual({ theme: "system" });
    expect(await updatePreferences(db, user.id, { theme: "dark" })).toEqual({ theme: "dark" });
  });

  it("merges a guest exactly once, appending after the member's own history", async () => {
    const member = await createMemberUser(db, { email: "merge@example.test", passwordHash: "h" });
    const memberId = member!.id;
    const own = toDirectChannel(memberId, "agent_a");
    await ensureChannel(db, { name: own, userId: memberId, agentId: "agent_a" });
    await appendMessage(db, {
      channel: own,
      authorId: memberId,
      authorKind: "user",
      body: "mine",
      clientMessageId: "cm_mine",
    });
    const guestId = await guestWith("agent_a", ["g1", "g2"]);
    const renamed = await guestWith("agent_b", ["b1"]);
    await setStar(db, { userId: guestId, agentId: "agent_a", starred: true });
    await updatePreferences(db, guestId, { theme: "dark" });

    // Two merges of one guest at once, on two connections: one merges, one finds it done.
    const results = await Promise.all([
      mergeGuestIntoMember(db, guestId, memberId),
      mergeGuestIntoMember(other, guestId, memberId),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["already_merged", "merged"]);
    const merged = results.find((r) => r.status === "merged");
    expect(merged).toMatchObject({ channels: 1, messages: 2, stars: 1 });
    expect((await listMessagesAfter(db, own, 0)).map((m) => [m.seq, m.body, m.authorId])).toEqual([
      [1, "mine", memberId],
      [2, "g1", memberId],
      [3, "g2", memberId],
    ]);
    expect(await listStars(db, memberId)).toEqual(["agent_a"]);
    expect(await getPreferences(db, memberId)).toEqual({ theme: "dark" });
    expect(await getUserById(db, guestId)).toMatchObject({ mergedInto: memberId });
    expect(await mergeGuestIntoMember(db, guestId, "usr_someone_else")).toEqual({
      status: "refused",
      reason: "merged_elsewhere",
    });

    // A channel the member never had is renamed to the member's, seqs unchanged.
    expect((await mergeGuestIntoMember(db, renamed, memberId)).status).toBe("merged");
    const b = await listMessagesAfter(db, toDirectChannel(memberId, "agent_b"), 0);
    expect(b.map((m) => [m.seq, m.body, m.authorId])).toEqual([[1, "b1", memberId]]);
  });

  it("a write in flight for a guest's channel follows the merge; no channel is re-created for it", async () => {
    const member = await createMemberUser(db, {
      email: "inflight@example.test",
      passwordHash: "h",
    });
    const memberId = member!.id;
    const guestId = await guestWith("agent_f", ["asked"]);
    const guestChannel = toDirectChannel(guestId, "agent_f");
    expect((await mergeGuestIntoMember(db, guestId, memberId)).status).toBe("merged");

    // The guest's send passed its checks just before the merge, then writes; and the agent's
    // reply to the guest's question is stored after the merge.
    const late = await appendMessage(db, {
      channel: guestChannel,
      authorId: guestId,
      authorKind: "user",
      body: "late send",
      clientMessageId: "cm_late",
    });
    const reply = await appendMessage(db, {
      channel: guestChannel,
      authorId: "agent_f",
      authorKind: "agent",
      body: "the answer",
      clientMessageId: null,
    });
    const memberChannel = toDirectChannel(memberId, "agent_f");
    expect([late.message.channel, reply.message.channel]).toEqual([memberChannel, memberChannel]);
    expect(late.message.authorId).toBe(memberId);
    const all = await listMessagesAfter(db, memberChannel, 0);
    expect(all.map((m) => [m.seq, m.body])).toEqual([
      [1, "asked"],
      [2, "late send"],
      [3, "the answer"],
    ]);
    await ensureChannel(db, { name: guestChannel, userId: guestId, agentId: "agent_f" });
    const { rows } = await db.query("SELECT name FROM channels WHERE user_id = $1", [guestId]);
    expect(rows).toEqual([]);
  });

  it("purges merged and abandoned guests with their data, once", async () => {
    const member = await createMemberUser(db, { email: "purge@example.test", passwordHash: "h" });
    const merged = await guestWith("agent_c", ["moved"]);
    await mergeGuestIntoMember(db, merged, member!.id);
    const abandoned = await guestWith("agent_c", ["old"]);
    await db.query("UPDATE users SET last_active_at = now() - interval '40 days' WHERE id = $1", [
      abandoned,
    ]);
    const active = await guestWith("agent_c", ["new"]);

    const first = await purgeGuests(db, { idleSince: new Date(Date.now() - 30 * 86_400_000) });
    expect(first.users).toBeGreaterThanOrEqual(2);
    expect(first.endedSessions.map((e) => e.userId)).toContain(abandoned);
    expect(first.endedSessions.map((e) => e.userId)).not.toContain(merged);
    expect(await getUserById(db, merged)).toBeNull();
    expect(await getUserById(db, abandoned)).toBeNull();
    expect(await listMessagesAfter(db, toDirectChannel(abandoned, "agent_c"), 0)).toEqual([]);
    expect(await getUserById(db, active)).not.toBeNull();
    expect((await listMessagesAfter(db, toDirectChannel(member!.id, "agent_c"), 0)).length).toBe(1);

    const second = await purgeGuests(db, { idleSince: new Date(Date.now() - 30 * 86_400_000) });
    expect(second).toEqual({ users: 0, messages: 0, endedSessions: [] });
  });

  it("lists live sessions and revokes all of a user's but one", async () => {
    const member = await createMemberUser(db, {
      email: "sessions@example.test",
      passwordHash: "h",
    });
    const id = member!.id;
    const a = await createSession(db, { userId: id, kind: "member", secretHash: null });
    const b = await createSession(db, { userId: id, kind: "member", secretHash: null });
    expect((await listLiveSessions(db, id)).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    const ended = await revokeUserSessions(db, id, "signed_out_everywhere", b.id);
    expect(ended).toEqual([{ sessionId: a.id, userId: id, generation: 2 }]);
    expect((await listLiveSessions(db, id)).map((s) => s.id)).toEqual([b.id]);
  });
});

describe("migrate on PostgreSQL from two processes at once", () => {
  it("applies each migration exactly once", async () => {
    const store = await createPostgresStore();
    const handles = await Promise.all(Array.from({ length: 4 }, () => store.open()));
    try {
      const results = await Promise.all(handles.map((h) => migrate(h)));
      const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
      expect(applied).toEqual(MIGRATIONS.map((m) => m.id));
      const { rows } = await handles[0]!.query<{ n: number }>(
        "SELECT count(*) AS n FROM schema_migrations",
      );
      expect(rows[0]?.n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await store.dispose();
    }
  });
});

describe("openDatabase with PostgreSQL", () => {
  it("fails loudly when PostgreSQL is unreachable", async () => {
    const db = await openDatabase({
      databaseUrl: "postgres://postgres@127.0.0.1:1/none",
      dataDir: "/nonexistent",
    });
    await expect(db.query("SELECT 1")).rejects.toThrow();
    await db.close();
  });
});
