import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryDb, insertTestUser } from "../db/testing/memory-db";
import type { Db } from "../db/types";
import {
  type AppendMessageInput,
  appendMessage,
  ensureChannel,
  HISTORY_PAGE_MAX,
  listMessagesAfter,
  listMessagesBefore,
} from "./messages";

const CHANNEL = "direct-usr_a-concierge";
let db: Db;

const userSend = (clientMessageId: string, body = "hi"): AppendMessageInput => ({
  channel: CHANNEL,
  authorId: "usr_a",
  authorKind: "user",
  body,
  clientMessageId,
});

// Starting PGlite costs seconds: one store per file, emptied before each test.
beforeAll(async () => {
  db = await createMemoryDb();
}, 60_000);
afterAll(() => db.close());
beforeEach(async () => {
  await db.query("TRUNCATE messages, channels, users CASCADE");
  await insertTestUser(db, "usr_a");
  await ensureChannel(db, { name: CHANNEL, userId: "usr_a", agentId: "concierge" });
});

describe("messages-store", () => {
  it("ensureChannel is idempotent", async () => {
    await ensureChannel(db, { name: CHANNEL, userId: "usr_a", agentId: "concierge" });
    const { rows } = await db.query("SELECT name FROM channels");
    expect(rows).toHaveLength(1);
  });

  it("assigns seq 1, 2, 3 … per channel, independently across channels", async () => {
    const other = "direct-usr_a-storyteller";
    await ensureChannel(db, { name: other, userId: "usr_a", agentId: "storyteller" });
    const a1 = await appendMessage(db, userSend("c1"));
    const b1 = await appendMessage(db, { ...userSend("c1"), channel: other });
    const a2 = await appendMessage(db, userSend("c2"));
    expect([a1.message.seq, a2.message.seq, b1.message.seq]).toEqual([1, 2, 1]);
    expect(a1.message).toMatchObject({ channel: CHANNEL, clientMessageId: "c1", body: "hi" });
    expect(typeof a1.message.seq).toBe("number");
    expect(Number.isNaN(Date.parse(a1.message.createdAt))).toBe(false);
  });

  it("a resend returns the stored message, stores nothing and consumes no seq", async () => {
    const first = await appendMessage(db, userSend("c1", "first"));
    const again = await appendMessage(db, userSend("c1", "changed body"));
    expect(first.created).toBe(true);
    expect(again).toEqual({ message: first.message, created: false });
    const next = await appendMessage(db, userSend("c2"));
    expect(next.message.seq).toBe(2);
    const { rows } = await db.query("SELECT id FROM messages");
    expect(rows).toHaveLength(2);
  });

  it("concurrent sends get distinct, gap-free seqs; concurrent duplicates store once", async () => {
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => appendMessage(db, userSend(`c${i}`))),
      ...Array.from({ length: 5 }, () => appendMessage(db, userSend("dup"))),
    ]);
    const seqs = new Set(results.map((r) => r.message.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(results.filter((r) => r.created)).toHaveLength(11);
  });

  it("agent messages (no client id) never collide and keep their given id", async () => {
    const agent = {
      channel: CHANNEL,
      authorId: "concierge",
      authorKind: "agent" as const,
      body: "x",
    };
    const a = await appendMessage(db, { ...agent, clientMessageId: null, id: "msg_given" });
    const b = await appendMessage(db, { ...agent, clientMessageId: null });
    expect(a.message.id).toBe("msg_given");
    expect([a.created, b.created, b.message.seq]).toEqual([true, true, 2]);
  });

  it("refuses to append to a channel that does not exist", async () => {
    await expect(
      appendMessage(db, { ...userSend("c1"), channel: "direct-usr_a-nobody" }),
    ).rejects.toThrow(/no channel/);
  });

  it("lists after a seq in order, bounded by the limit and the page maximum", async () => {
    for (let i = 1; i <= 5; i += 1) await appendMessage(db, userSend(`c${i}`));
    const seqs = async (after: number, limit?: number) =>
      (await listMessagesAfter(db, CHANNEL, after, limit)).map((m) => m.seq);
    expect(await seqs(0)).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(3)).toEqual([4, 5]);
    expect(await seqs(5)).toEqual([]);
    expect(await seqs(1, 2)).toEqual([2, 3]);
    expect(await seqs(0, 0)).toEqual([1]);
    expect(await listMessagesAfter(db, "direct-usr_b-concierge", 0)).toEqual([]);
    expect(HISTORY_PAGE_MAX).toBe(200);
  });

  it("lists the newest messages before a seq, oldest first", async () => {
    for (let i = 1; i <= 5; i += 1) await appendMessage(db, userSend(`c${i}`));
    const before = await listMessagesBefore(db, CHANNEL, 5, 3);
    expect(before.map((m) => m.seq)).toEqual([2, 3, 4]);
  });
});
