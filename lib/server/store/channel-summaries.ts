import { LATEST_LINE_MAX_LENGTH } from "../../shared/limits";
import type { ChannelSummary } from "../../shared/realtime/events";
import type { Queryable } from "../db/types";

interface SummaryRow {
  agent_id: string;
  read_seq: number;
  unread: number;
  id: string | null;
  seq: number | null;
  body: string | null;
  author_kind: "user" | "agent" | null;
  created_at: Date | string | null;
}

/**
 * For every direct channel of `userId`: how many agent messages are unread (after the
 * channel's read seq) and the latest message, cut to an excerpt. One query.
 */
export async function listChannelSummaries(
  db: Queryable,
  userId: string,
): Promise<Map<string, ChannelSummary>> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT c.agent_id, c.read_seq,
       (SELECT count(*) FROM messages u
         WHERE u.channel = c.name AND u.author_kind = 'agent' AND u.seq > c.read_seq) AS unread,
       m.id, m.seq, left(m.body, $2) AS body, m.author_kind, m.created_at
     FROM channels c
     LEFT JOIN LATERAL (
       SELECT id, seq, body, author_kind, created_at FROM messages
       WHERE channel = c.name ORDER BY seq DESC LIMIT 1
     ) m ON true
     WHERE c.user_id = $1`,
    [userId, LATEST_LINE_MAX_LENGTH],
  );
  const summaries = new Map<string, ChannelSummary>();
  for (const row of rows) {
    summaries.set(row.agent_id, {
      unread: Number(row.unread),
      readSeq: Number(row.read_seq),
      latest:
        row.id === null || row.seq === null || row.body === null || row.author_kind === null
          ? null
          : {
              id: row.id,
              seq: Number(row.seq),
              body: row.body,
              authorKind: row.author_kind,
              createdAt: new Date(row.created_at ?? 0).toISOString(),
            },
    });
  }
  return summaries;
}

/**
 * Moves the channel's read seq forward to `seq` (never back, never past the last message)
 * and returns the new read seq and unread count, or null for no such channel.
 */
export async function markChannelRead(
  db: Queryable,
  channel: string,
  seq: number,
): Promise<{ readSeq: number; unread: number } | null> {
  const { rows } = await db.query<{ read_seq: number; unread: number }>(
    `WITH marked AS (
       UPDATE channels SET read_seq = GREATEST(read_seq, LEAST($2, last_seq))
       WHERE name = $1 RETURNING name, read_seq
     )
     SELECT marked.read_seq,
       (SELECT count(*) FROM messages m WHERE m.channel = marked.name
          AND m.author_kind = 'agent' AND m.seq > marked.read_seq) AS unread
     FROM marked`,
    [channel, seq],
  );
  const row = rows[0];
  return row ? { readSeq: Number(row.read_seq), unread: Number(row.unread) } : null;
}
