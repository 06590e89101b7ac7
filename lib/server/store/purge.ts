import type { Db } from "../db/types";
import type { RevokedSession } from "./sessions";

/** What one purge run removed. */
export interface PurgeResult {
  users: number;
  messages: number;
  /** Sessions that were still live: their sockets must be closed. */
  endedSessions: RevokedSession[];
}

/** Guests removed per transaction, so a large backlog never holds locks for long. */
export const PURGE_BATCH_SIZE = 200;

/**
 * Deletes merged guests (their data already moved) and abandoned ones (no activity since
 * `idleSince`), with their sessions, channels, messages and stars. Idempotent: a second run
 * finds nothing. Works in batches until none are left (at most `maxBatches`).
 */
export async function purgeGuests(
  db: Db,
  options: { idleSince: Date; maxBatches?: number },
): Promise<PurgeResult> {
  const total: PurgeResult = { users: 0, messages: 0, endedSessions: [] };
  const maxBatches = options.maxBatches ?? 50;
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM users
         WHERE kind = 'guest' AND (merged_into IS NOT NULL OR last_active_at < $1)
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [options.idleSince, PURGE_BATCH_SIZE],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return null;
      const ended = await tx.query<{ id: string; user_id: string; generation: number }>(
        `UPDATE sessions SET generation = generation + 1, revoked_at = now(),
           ended_reason = 'purged'
         WHERE user_id = ANY($1) AND revoked_at IS NULL RETURNING id, user_id, generation`,
        [ids],
      );
      const messages = await tx.query(
        `DELETE FROM messages WHERE channel IN (SELECT name FROM channels WHERE user_id = ANY($1))
         RETURNING id`,
        [ids],
      );
      await tx.query("DELETE FROM channels WHERE user_id = ANY($1)", [ids]);
      await tx.query("DELETE FROM generations WHERE user_id = ANY($1)", [ids]);
      await tx.query("DELETE FROM stars WHERE user_id = ANY($1)", [ids]);
      await tx.query("DELETE FROM sessions WHERE user_id = ANY($1)", [ids]);
      await tx.query("DELETE FROM users WHERE id = ANY($1)", [ids]);
      return {
        users: ids.length,
        messages: messages.rows.length,
        endedSessions: ended.rows.map((r) => ({
          sessionId: r.id,
          userId: r.user_id,
          generation: r.generation,
        })),
      };
    });
    if (!result) break;
    total.users += result.users;
    total.messages += result.messages;
    total.endedSessions.push(...result.endedSessions);
  }
  return total;
}

/** Messages removed per statement by {@link deleteMessagesBefore}. */
export const RETENTION_BATCH_SIZE = 1_000;

/**
 * Retention: deletes every message created before `before`, in batches (at most
 * `maxBatches`), and says how many it removed. Sequences are untouched, so a channel keeps
 * counting up and clients merge what is left by id as always.
 */
export async function deleteMessagesBefore(
  db: Db,
  before: Date,
  maxBatches = 100,
): Promise<number> {
  let removed = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const { rows } = await db.query<{ id: string }>(
      `DELETE FROM messages WHERE id IN (
         SELECT id FROM messages WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING id`,
      [before, RETENTION_BATCH_SIZE],
    );
    removed += rows.length;
    if (rows.length < RETENTION_BATCH_SIZE) break;
  }
  return removed;
}
