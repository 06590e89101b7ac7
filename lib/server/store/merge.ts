import { toDirectChannel } from "../../shared/realtime/channels";
import type { Db, Queryable } from "../db/types";
import { type RevokedSession, revokeUserSessions } from "./sessions";

/**
 * Guest → member merge: everything a guest did comes with them when they sign up or sign
 * in, exactly once. One transaction; the guest's row is locked first, so two merges of one
 * guest (two tabs signing in, a client retry) run one after the other and the second
 * finds the guest already merged.
 */

export type MergeResult =
  | {
      status: "merged";
      channels: number;
      messages: number;
      stars: number;
      /** The guest's sessions, ended with reason `merged`: the gateways must apply these. */
      endedSessions: RevokedSession[];
    }
  /** An earlier merge of this guest into this member already happened (idempotent success). */
  | { status: "already_merged" }
  | { status: "refused"; reason: "no_such_guest" | "not_a_guest" | "merged_elsewhere" };

interface ChannelRow {
  name: string;
  agent_id: string;
}

/**
 * Moves one guest channel to the member. When the member has no channel with that agent the
 * channel is renamed (messages follow through ON UPDATE CASCADE). Otherwise the guest's
 * messages are appended after the member's, in their own order, with new seqs: the
 * member's existing seqs never change, so the member's other tabs fill the gap by seq.
 */
async function moveChannel(
  tx: Queryable,
  guest: ChannelRow,
  guestId: string,
  memberId: string,
): Promise<number> {
  const target = toDirectChannel(memberId, guest.agent_id);
  const existing = await tx.query<{ last_seq: number }>(
    "SELECT last_seq FROM channels WHERE name = $1 FOR UPDATE",
    [target],
  );
  const base = existing.rows[0]?.last_seq;
  if (base === undefined) {
    await tx.query("UPDATE channels SET name = $2, user_id = $3 WHERE name = $1", [
      guest.name,
      target,
      memberId,
    ]);
    await tx.query(
      `UPDATE messages SET author_id = $3
       WHERE channel = $1 AND author_kind = 'user' AND author_id = $2`,
      [target, guestId, memberId],
    );
    const { rows } = await tx.query<{ n: number }>(
      "SELECT count(*) AS n FROM messages WHERE channel = $1",
      [target],
    );
    return rows[0]?.n ?? 0;
  }
  // A client message id is unique per (channel, author); one the member used too is dropped
  // from the moved copy (the message itself is kept).
  await tx.query(
    `UPDATE messages g SET client_message_id = NULL
     WHERE g.channel = $1 AND g.client_message_id IS NOT NULL AND EXISTS (
       SELECT 1 FROM messages m WHERE m.channel = $2 AND m.author_id = $3
         AND m.client_message_id = g.client_message_id)`,
    [guest.name, target, memberId],
  );
  const { rows } = await tx.query<{ id: string }>(
    `WITH moved AS (
       SELECT id, row_number() OVER (ORDER BY seq) AS rn FROM messages WHERE channel = $1
     )
     UPDATE messages m SET channel = $2, seq = $3 + moved.rn,
       author_id = CASE WHEN m.author_kind = 'user' AND m.author_id = $4 THEN $5 ELSE m.author_id END
     FROM moved WHERE m.id = moved.id RETURNING m.id`,
    [guest.name, target, base, guestId, memberId],
  );
  await tx.query("UPDATE channels SET last_seq = $2 WHERE name = $1", [target, base + rows.length]);
  await tx.query("DELETE FROM channels WHERE name = $1", [guest.name]);
  return rows.length;
}

/** Merges the guest `guestId` into the member `memberId`. See {@link MergeResult}. */
export async function mergeGuestIntoMember(
  db: Db,
  guestId: string,
  memberId: string,
): Promise<MergeResult> {
  return db.transaction(async (tx): Promise<MergeResult> => {
    const { rows: users } = await tx.query<{ kind: string; merged_into: string | null }>(
      "SELECT kind, merged_into FROM users WHERE id = $1 FOR UPDATE",
      [guestId],
    );
    const guest = users[0];
    if (!guest) return { status: "refused", reason: "no_such_guest" };
    if (guest.kind !== "guest") return { status: "refused", reason: "not_a_guest" };
    if (guest.merged_into === memberId) return { status: "already_merged" };
    if (guest.merged_into !== null) return { status: "refused", reason: "merged_elsewhere" };

    const { rows: channels } = await tx.query<ChannelRow>(
      "SELECT name, agent_id FROM channels WHERE user_id = $1 ORDER BY name FOR UPDATE",
      [guestId],
    );
    let messages = 0;
    for (const channel of channels) messages += await moveChannel(tx, channel, guestId, memberId);

    // The guest's answers (written and being written) are the member's: what the guest used of
    // an allowance today stays used, and an answer still streaming lands in the member's channel.
    await tx.query(
      `UPDATE generations SET user_id = $2, channel = 'direct-' || $2 || '-' || agent_id
       WHERE user_id = $1`,
      [guestId, memberId],
    );
    const stars = await tx.query(
      `INSERT INTO stars (user_id, agent_id, created_at)
       SELECT $2, agent_id, created_at FROM stars WHERE user_id = $1
       ON CONFLICT DO NOTHING RETURNING agent_id`,
      [guestId, memberId],
    );
    await tx.query("DELETE FROM stars WHERE user_id = $1", [guestId]);
    // The member's own preferences win; the guest's fill in what the member never set.
    await tx.query(
      `UPDATE users m SET preferences = g.preferences || m.preferences
       FROM users g WHERE m.id = $2 AND g.id = $1`,
      [guestId, memberId],
    );
    await tx.query("UPDATE users SET merged_into = $2, merged_at = now() WHERE id = $1", [
      guestId,
      memberId,
    ]);
    const endedSessions = await revokeUserSessions(tx, guestId, "merged");
    return {
      status: "merged",
      channels: channels.length,
      messages,
      stars: stars.rows.length,
      endedSessions,
    };
  });
}
