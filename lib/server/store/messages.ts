import { createId } from "../../shared/ids";
import { parseChannel, toDirectChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
import type { Db, Queryable } from "../db/types";

/** Most messages one history read returns. */
export const HISTORY_PAGE_MAX = 200;

export interface ChannelRecord {
  name: string;
  userId: string;
  agentId: string;
}

export interface AppendMessageInput {
  channel: string;
  authorId: string;
  authorKind: ChatMessage["authorKind"];
  body: string;
  /** Set for user messages: a resend with the same value returns the stored message. */
  clientMessageId: string | null;
  /** Defaults to a new `msg_…` id; agent replies pass the id their deltas announced. */
  id?: string;
  /** Agent answers: how the answer ended, its note, and the user message it answers. */
  status?: ChatMessage["status"];
  note?: string | null;
  replyTo?: string | null;
}

export interface AppendMessageResult {
  message: ChatMessage;
  /** False when an earlier send with the same client message id was returned instead. */
  created: boolean;
}

interface MessageRow {
  id: string;
  channel: string;
  seq: number | string | bigint;
  client_message_id: string | null;
  author_id: string;
  author_kind: ChatMessage["authorKind"];
  body: string;
  created_at: Date | string;
  status: ChatMessage["status"];
  note: string | null;
  reply_to: string | null;
}

const COLUMNS =
  "id, channel, seq, client_message_id, author_id, author_kind, body, created_at, status, note, reply_to";

export function toChatMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id,
    channel: row.channel,
    seq: Number(row.seq),
    // An agent answer's key is its generation's id: it is the server's, not a client's.
    clientMessageId: row.author_kind === "user" ? row.client_message_id : null,
    authorId: row.author_id,
    authorKind: row.author_kind,
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    status: row.status ?? null,
    note: row.note ?? null,
    replyTo: row.reply_to ?? null,
  };
}

/**
 * Creates the channel row unless it exists, and never for a user that was merged (or does
 * not exist): the user's row is share-locked, so this waits for a merge in progress and then
 * sees it, and a merge that starts after it finds the new channel and moves it.
 */
export async function ensureChannel(db: Queryable, channel: ChannelRecord): Promise<void> {
  await db.query(
    `INSERT INTO channels (name, user_id, agent_id)
     SELECT $1, $2, $3 FROM users WHERE id = $2 AND merged_into IS NULL FOR SHARE
     ON CONFLICT DO NOTHING`,
    [channel.name, channel.userId, channel.agentId],
  );
}

/**
 * Where a write for `input.channel` belongs when that channel is gone because its user was
 * merged into a member: the member's channel with the same agent (created if needed), the
 * guest's own messages authored by the member, as the merge moved the rest. Null otherwise.
 */
async function toMergedTarget(
  db: Queryable,
  input: AppendMessageInput,
): Promise<AppendMessageInput | null> {
  const channel = parseChannel(input.channel);
  if (!channel) return null;
  const { rows } = await db.query<{ merged_into: string | null }>(
    "SELECT merged_into FROM users WHERE id = $1",
    [channel.userId],
  );
  const member = rows[0]?.merged_into;
  if (!member) return null;
  const target = toDirectChannel(member, channel.agentId);
  await ensureChannel(db, { name: target, userId: member, agentId: channel.agentId });
  const authorId = input.authorId === channel.userId ? member : input.authorId;
  return { ...input, channel: target, authorId };
}

/** The stored message with this client message id in the channel, by its author. */
export async function findByClientMessageId(
  db: Queryable,
  input: AppendMessageInput,
): Promise<ChatMessage | null> {
  if (input.clientMessageId === null) return null;
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages
     WHERE channel = $1 AND author_id = $2 AND client_message_id = $3`,
    [input.channel, input.authorId, input.clientMessageId],
  );
  return rows[0] ? toChatMessage(rows[0]) : null;
}

/**
 * One statement (one round trip, one implicit transaction): a stored message with the same
 * client message id wins; otherwise the channel row is locked, the message inserted with
 * the next seq, and `last_seq` moved to it only if the insert happened. A concurrent
 * duplicate therefore consumes no seq (the insert does nothing, so nothing is bumped) and
 * a concurrent send on the channel waits for the lock and takes the following seq. No row
 * back means a concurrent duplicate committed first (invisible to this statement's
 * snapshot) or the channel does not exist.
 */
const APPEND_SQL = `
WITH existing AS (
  SELECT ${COLUMNS} FROM messages
  WHERE channel = $2 AND author_id = $4 AND client_message_id = $3
), next AS (
  SELECT last_seq + 1 AS seq FROM channels
  WHERE name = $2 AND NOT EXISTS (SELECT 1 FROM existing)
  FOR UPDATE
), inserted AS (
  INSERT INTO messages (id, channel, seq, client_message_id, author_id, author_kind, body,
    status, note, reply_to)
  SELECT $1, $2, next.seq, $3, $4, $5, $6, $7, $8, $9 FROM next
  ON CONFLICT (channel, author_id, client_message_id) DO NOTHING
  RETURNING ${COLUMNS}
), bumped AS (
  UPDATE channels SET last_seq = inserted.seq FROM inserted WHERE channels.name = $2
  RETURNING 1
)
SELECT ${COLUMNS}, true AS created FROM inserted
UNION ALL
SELECT ${COLUMNS}, false AS created FROM existing`;

/**
 * Stores a message with the channel's next seq. Idempotent per (channel, author, client
 * message id): a resend returns the stored message and consumes no seq. A channel merged
 * away is followed to the member's (the stored message names the channel it landed in).
 * Throws when the channel row does not exist otherwise (call `ensureChannel` first).
 */
export async function appendMessage(
  db: Db,
  input: AppendMessageInput,
  redirected = false,
): Promise<AppendMessageResult> {
  const { rows } = await db.query<MessageRow & { created: boolean }>(APPEND_SQL, [
    input.id ?? createId("msg"),
    input.channel,
    input.clientMessageId,
    input.authorId,
    input.authorKind,
    input.body,
    input.status ?? null,
    input.note ?? null,
    input.replyTo ?? null,
  ]);
  const row = rows[0];
  if (row) return { message: toChatMessage(row), created: row.created };
  const existing = await findByClientMessageId(db, input);
  if (existing) return { message: existing, created: false };
  // A merge moved the channel while this write (an agent's reply, a send that passed its
  // checks just before the guest's sessions ended) was in flight: it follows the channel.
  const target = redirected ? null : await toMergedTarget(db, input);
  if (target) return appendMessage(db, target, true);
  throw new Error(`messages-store: no channel ${input.channel}`);
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return HISTORY_PAGE_MAX;
  return Math.min(HISTORY_PAGE_MAX, Math.max(1, Math.floor(limit)));
}

/** Messages with seq > `after`, oldest first, at most `limit` (≤ `HISTORY_PAGE_MAX`). */
export async function listMessagesAfter(
  db: Queryable,
  channel: string,
  after: number,
  limit?: number,
): Promise<ChatMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages WHERE channel = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [channel, after, clampLimit(limit)],
  );
  return rows.map(toChatMessage);
}

/** The newest `limit` messages with seq < `before`, oldest first (an agent's context). */
export async function listMessagesBefore(
  db: Queryable,
  channel: string,
  before: number,
  limit: number,
): Promise<ChatMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages WHERE channel = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
    [channel, before, clampLimit(limit)],
  );
  return rows.map(toChatMessage).reverse();
}

/** One message by id, or null. */
export async function getMessage(db: Queryable, id: string): Promise<ChatMessage | null> {
  const { rows } = await db.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = $1`, [
    id,
  ]);
  return rows[0] ? toChatMessage(rows[0]) : null;
}

/** How many messages `authorId` wrote since `since` (the daily cap's count). */
export async function countMessagesSince(
  db: Queryable,
  authorId: string,
  since: Date,
): Promise<number> {
  const { rows } = await db.query<{ count: string | number }>(
    "SELECT count(*) AS count FROM messages WHERE author_id = $1 AND created_at >= $2",
    [authorId, since],
  );
  return Number(rows[0]?.count ?? 0);
}
