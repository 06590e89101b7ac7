import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../shared/ids";
import { toDirectChannel } from "../../shared/realtime/channels";
import { migrate } from "../db/migrate";
import { createPgliteStore, createPostgresStore, type TestStore } from "../db/testing/stores";
import type { Db } from "../db/types";
import {
  type ClaimInput,
  claimGeneration,
  endGeneration,
  renewGenerations,
  takeOverExpired,
} from "./generations";
import { appendMessage, ensureChannel } from "./messages";
import { createGuestUser } from "./users";

const STORES = [
  { name: "pglite", create: createPgliteStore },
  { name: "postgres", create: createPostgresStore },
] as const;

/** Claims under a READ COMMITTED store, all at once: the limits must hold exactly. */
describe.each(STORES)("generations on $name", ({ create }) => {
  let store: TestStore;
  let db: Db;
  // A second handle: on PostgreSQL the concurrent claims use several connections.
  let other: Db;

  beforeAll(async () => {
    store = await create();
    db = await store.open();
    await migrate(db);
    other = create === createPgliteStore ? db : await store.open();
  }, 60_000);
  afterAll(async () => {
    if (other !== db) await other?.close();
    await db?.close();
    await store?.dispose();
  });

  async function guestWithChannel(agentId = "paid") {
    const user = await createGuestUser(db);
    const channel = toDirectChannel(user.id, agentId);
    await ensureChannel(db, { name: channel, userId: user.id, agentId });
    return { userId: user.id, channel };
  }

  function claim(over: Partial<ClaimInput> & Pick<ClaimInput, "userId" | "channel">) {
    return {
      id: createId("msg"),
      userKind: "guest" as const,
      addressKey: null,
      agentId: "paid",
      replyTo: createId("msg"),
      nodeId: "node-a",
      since: new Date(Date.now() - 60_000),
      maxRunning: Infinity,
      userLimit: Infinity,
      addressLimit: Infinity,
      ...over,
    };
  }

  it("twenty guests from one address at once: exactly the address's allowance is claimed", async () => {
    const addressKey = `203.0.113.${Math.floor(Math.random() * 200)}`;
    const guests = await Promise.all(Array.from({ length: 20 }, () => guestWithChannel()));
    const results = await Promise.all(
      guests.map((g, i) =>
        claimGeneration(i % 2 ? other : db, claim({ ...g, addressKey, addressLimit: 3 })),
      ),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(3);
    expect(results.filter((r) => !r.claimed).map((r) => !r.claimed && r.reason)).toEqual(
      Array(17).fill("allowance"),
    );
  });

  it("one user's concurrent claims never pass the concurrency cap", async () => {
    const guest = await guestWithChannel();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        claimGeneration(i % 2 ? other : db, claim({ ...guest, maxRunning: 2 })),
      ),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(2);
  });

  it("two regenerations of the last answer at once make one answer", async () => {
    const guest = await guestWithChannel();
    const { message: answer } = await appendMessage(db, {
      channel: guest.channel,
      authorId: "paid",
      authorKind: "agent",
      body: "first",
      clientMessageId: createId("msg"),
      status: "complete",
    });
    const results = await Promise.all(
      [db, other, db].map((handle) =>
        claimGeneration(handle, claim({ ...guest, regenerates: { answerId: answer.id } })),
      ),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).map((r) => !r.claimed && r.reason)).toEqual([
      "busy",
      "busy",
    ]);
  });

  it("renewals return only the node's own streaming answers; a takeover moves one to its taker once", async () => {
    const guest = await guestWithChannel();
    const mine = claim(guest);
    await claimGeneration(db, mine);
    expect(await renewGenerations(db, "node-a", [{ id: mine.id, body: "so far" }])).toEqual(
      new Map([[mine.id, guest.channel]]),
    );
    expect((await renewGenerations(db, "node-b", [{ id: mine.id, body: "x" }])).size).toBe(0);
    // Its lease holds: no takeover. Once it ran out, two sweeping nodes: one taker only.
    expect(await takeOverExpired(db, "node-b", { id: mine.id })).toEqual([]);
    await db.query(
      "UPDATE generations SET lease_until = now() - interval '1 second' WHERE id = $1",
      [mine.id],
    );
    const [first, second] = await Promise.all([
      takeOverExpired(db, "node-b", { id: mine.id }),
      takeOverExpired(other, "node-c", { id: mine.id }),
    ]);
    const taken = [...(first ?? []), ...(second ?? [])];
    expect(taken).toHaveLength(1);
    expect(taken[0]?.body).toBe("so far");
    // The first writer lost it: its renewals no longer return it, and it cannot end it.
    expect((await renewGenerations(db, "node-a", [{ id: mine.id, body: null }])).size).toBe(0);
    const end = {
      id: mine.id,
      status: "complete" as const,
      body: "done",
      finishReason: "stop",
      failureCode: null,
      promptTokens: 1,
      completionTokens: 1,
      usageEstimated: false,
    };
    expect(await endGeneration(db, { ...end, nodeId: "node-a" })).toBe(false);
    expect(await endGeneration(db, { ...end, nodeId: taken[0]?.nodeId ?? "" })).toBe(true);
  });
});
