import type { AnswerStatus } from "../../shared/realtime/events";
import type { Db, Queryable } from "../db/types";

/**
 * Answers being written and written (docs/design.md, answers). A row is claimed before the
 * user message is stored, so an allowance or the concurrency cap refuses a message before
 * it reaches the upstream; the node writing it holds it by a lease it renews with the text
 * so far; whoever ends it (that node, a Stop on another node, a sweep after the node died)
 * ends it once, from `streaming`.
 */

/** How long a node's claim on an answer lasts without a renewal. */
export const GENERATION_LEASE_IN_MS = 10_000;

export interface GenerationRow {
  id: string;
  channel: string;
  userId: string;
  agentId: string;
  replyTo: string;
  status: "streaming" | AnswerStatus;
  body: string;
  nodeId: string;
}

interface Row {
  id: string;
  channel: string;
  user_id: string;
  agent_id: string;
  reply_to: string;
  status: GenerationRow["status"];
  body: string;
  node_id: string;
}

const COLUMNS = "id, channel, user_id, agent_id, reply_to, status, body, node_id";

function toGeneration(row: Row): GenerationRow {
  return {
    id: row.id,
    channel: row.channel,
    userId: row.user_id,
    agentId: row.agent_id,
    replyTo: row.reply_to,
    status: row.status,
    body: row.body,
    nodeId: row.node_id,
  };
}

/** What one claim needs to know and to write. */
export interface ClaimInput {
  id: string;
  channel: string;
  userId: string;
  userKind: "guest" | "member";
  addressKey: string | null;
  agentId: string;
  replyTo: string;
  nodeId: string;
  /** Start of the day the allowances count. */
  since: Date;
  /** Most answers being written for the user at once. */
  maxRunning: number;
  /** The user's allowance with this agent today (Infinity: none). */
  userLimit: number;
  /** All guests from `addressKey` with this agent today (Infinity: none; members: none). */
  addressLimit: number;
  /**
   * A regeneration: claimed only while `answerId` is still the channel's last message and no
   * answer is being written in the channel (checked under the same lock as the claim).
   */
  regenerates?: { answerId: string };
}

/** What the user (and, for a guest, the address) used of the agent's allowance today. */
export interface UsedToday {
  user: number;
  address: number;
}

export type ClaimResult =
  | { claimed: true; used: UsedToday }
  | { claimed: false; reason: "running" | "allowance" | "not_last" | "busy"; used: UsedToday };

async function countUsed(
  tx: Queryable,
  input: Pick<ClaimInput, "userId" | "userKind" | "addressKey" | "agentId" | "since">,
): Promise<UsedToday> {
  const { rows } = await tx.query<{ mine: string | number; address: string | number }>(
    `SELECT
       (SELECT count(*) FROM generations
         WHERE user_id = $1 AND agent_id = $2 AND started_at >= $3) AS mine,
       (SELECT count(*) FROM generations
         WHERE $4::text IS NOT NULL AND address_key = $4 AND user_kind = 'guest'
           AND agent_id = $2 AND started_at >= $3) AS address`,
    [
      input.userId,
      input.agentId,
      input.since,
      input.userKind === "guest" ? input.addressKey : null,
    ],
  );
  return { user: Number(rows[0]?.mine ?? 0), address: Number(rows[0]?.address ?? 0) };
}

/** What the user used of the agent's allowance since `since` (no lock: for display). */
export function getUsedToday(
  db: Queryable,
  input: Pick<ClaimInput, "userId" | "userKind" | "addressKey" | "agentId" | "since">,
): Promise<UsedToday> {
  return countUsed(db, input);
}

/**
 * Claims a new answer for `input.nodeId` unless the user has `maxRunning` answers being
 * written or the allowance is used. The user's row is locked first, and for a guest the
 * address too (a transaction-scoped advisory lock on its key), so claims of one user (several
 * tabs, several nodes) and of every guest from one address are counted one after the other
 * and never pass a limit. (Each statement of the transaction reads what committed before it.)
 */
export async function claimGeneration(db: Db, input: ClaimInput): Promise<ClaimResult> {
  return db.transaction(async (tx): Promise<ClaimResult> => {
    await tx.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [input.userId]);
    if (input.userKind === "guest" && input.addressKey) {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
        `foyer:answers:${input.addressKey}`,
      ]);
    }
    // One read for every count the claim decides on.
    const { rows } = await tx.query<{
      running: string | number;
      here: string | number;
      mine: string | number;
      address: string | number;
    }>(
      `SELECT
         count(*) FILTER (WHERE user_id = $1 AND status = 'streaming') AS running,
         count(*) FILTER (WHERE user_id = $1 AND status = 'streaming' AND channel = $2) AS here,
         count(*) FILTER (WHERE user_id = $1 AND agent_id = $3 AND started_at >= $4) AS mine,
         count(*) FILTER (WHERE $5::text IS NOT NULL AND address_key = $5 AND user_kind = 'guest'
           AND agent_id = $3 AND started_at >= $4) AS address
       FROM generations
       WHERE (user_id = $1 AND (status = 'streaming' OR (agent_id = $3 AND started_at >= $4)))
          OR ($5::text IS NOT NULL AND address_key = $5 AND agent_id = $3 AND started_at >= $4)`,
      [
        input.userId,
        input.channel,
        input.agentId,
        input.since,
        input.userKind === "guest" ? input.addressKey : null,
      ],
    );
    const counts = rows[0];
    const used = { user: Number(counts?.mine ?? 0), address: Number(counts?.address ?? 0) };
    if (input.regenerates) {
      if (Number(counts?.here ?? 0) > 0) return { claimed: false, reason: "busy", used };
      const last = await tx.query<{ id: string }>(
        "SELECT id FROM messages WHERE channel = $1 ORDER BY seq DESC LIMIT 1",
        [input.channel],
      );
      if (last.rows[0]?.id !== input.regenerates.answerId) {
        return { claimed: false, reason: "not_last", used };
      }
    }
    if (Number(counts?.running ?? 0) >= input.maxRunning) {
      return { claimed: false, reason: "running", used };
    }
    if (used.user >= input.userLimit || used.address >= input.addressLimit) {
      return { claimed: false, reason: "allowance", used };
    }
    await tx.query(
      `INSERT INTO generations (id, channel, user_id, user_kind, address_key, agent_id, reply_to,
         node_id, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + ($9::integer * interval '1 millisecond'))`,
      [
        input.id,
        input.channel,
        input.userId,
        input.userKind,
        input.addressKey,
        input.agentId,
        input.replyTo,
        input.nodeId,
        GENERATION_LEASE_IN_MS,
      ],
    );
    return {
      claimed: true,
      used: { user: used.user + 1, address: used.address + (input.addressKey ? 1 : 0) },
    };
  });
}

/** Drops a claim whose user message was never stored (a concurrent resend stored it first). */
export async function dropGeneration(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM generations WHERE id = $1 AND status = 'streaming'", [id]);
}

/** One answer by id (any status), or null. */
export async function getGeneration(db: Queryable, id: string): Promise<GenerationRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM generations WHERE id = $1`, [id]);
  return rows[0] ? toGeneration(rows[0]) : null;
}

/** The channel's answers being written. */
export async function listStreaming(db: Queryable, channel: string): Promise<GenerationRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM generations WHERE channel = $1 AND status = 'streaming'
     ORDER BY started_at`,
    [channel],
  );
  return rows.map(toGeneration);
}

/**
 * Renews the node's leases and saves the text so far of those that grew (`body` null: kept),
 * in one statement: the texts a takeover would store if the node died now. Returns the
 * renewed answers with their channel (a merge may have moved one); an answer missing from it
 * is no longer this node's.
 */
export async function renewGenerations(
  db: Queryable,
  nodeId: string,
  answers: { id: string; body: string | null }[],
): Promise<Map<string, string>> {
  if (answers.length === 0) return new Map();
  // In id order, so renewals and a merge lock the rows they share in one order.
  const sorted = [...answers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { rows } = await db.query<{ id: string; channel: string }>(
    `UPDATE generations g SET body = COALESCE(v.body, g.body),
       lease_until = now() + ($4::integer * interval '1 millisecond')
     FROM unnest($1::text[], $2::text[]) AS v(id, body)
     WHERE g.id = v.id AND g.node_id = $3 AND g.status = 'streaming'
     RETURNING g.id, g.channel`,
    [sorted.map((a) => a.id), sorted.map((a) => a.body), nodeId, GENERATION_LEASE_IN_MS],
  );
  return new Map(rows.map((row) => [row.id, row.channel]));
}

/**
 * Takes over answers whose node stopped renewing them (it died or froze), at most `limit`:
 * each row is claimed by exactly one node (the update moves its lease), which then ends it.
 * With `id`, only that answer (a Stop for an answer whose node is gone); with `force`, even
 * while its lease holds (a single node knows no other node can be writing it).
 */
export async function takeOverExpired(
  db: Queryable,
  nodeId: string,
  options: { limit?: number; id?: string; force?: boolean } = {},
): Promise<GenerationRow[]> {
  const { rows } = await db.query<Row>(
    `UPDATE generations SET node_id = $1,
       lease_until = now() + ($2::integer * interval '1 millisecond')
     WHERE id IN (
       SELECT id FROM generations
        WHERE status = 'streaming' AND ($5 OR lease_until < now())
          AND ($4::text IS NULL OR id = $4)
        ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [
      nodeId,
      GENERATION_LEASE_IN_MS,
      options.limit ?? 50,
      options.id ?? null,
      options.force === true,
    ],
  );
  return rows.map(toGeneration);
}

/** How an answer ended, as stored. */
export interface GenerationEnd {
  id: string;
  nodeId: string;
  status: AnswerStatus;
  body: string;
  finishReason: string | null;
  failureCode: string | null;
  promptTokens: number;
  completionTokens: number;
  usageEstimated: boolean;
}

/** Ends the node's answer; false when it was no longer the node's or no longer streaming. */
export async function endGeneration(db: Queryable, end: GenerationEnd): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE generations SET status = $3, body = $4, finish_reason = $5, failure_code = $6,
       prompt_tokens = $7, completion_tokens = $8, usage_estimated = $9, ended_at = now()
     WHERE id = $1 AND node_id = $2 AND status = 'streaming' RETURNING id`,
    [
      end.id,
      end.nodeId,
      end.status,
      end.body,
      end.finishReason,
      end.failureCode,
      end.promptTokens,
      end.completionTokens,
      end.usageEstimated,
    ],
  );
  return rows.length > 0;
}

/** Deletes answers started before `before` (they no longer count against any day). */
export async function deleteGenerationsBefore(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query(
    "DELETE FROM generations WHERE started_at < $1 AND status <> 'streaming' RETURNING id",
    [before],
  );
  return rows.length;
}
