import type { IdentityKind } from "../../shared/contracts/identity";
import { createId } from "../../shared/ids";
import type { Queryable } from "../db/types";

/** A session row as the store returns it. `secret_hash` never leaves the store. */
export interface SessionRecord {
  id: string;
  userId: string;
  kind: IdentityKind;
  /** Auth generation: bumped on every revoke (and, later, rotate); tokens carry it. */
  generation: number;
  revokedAt: Date | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute end of a member session; null for guest sessions (they end by purge). */
  expiresAt: Date | null;
  userAgent: string | null;
  /** Why it ended (`merged`, `signed_out`, …); null while live. */
  endedReason: string | null;
}

/** What the gateway and the authority need to judge a token: who, and is it still good. */
export interface SessionState {
  userId: string;
  kind: IdentityKind;
  generation: number;
  /** Revoked, or past its absolute expiry. */
  revoked: boolean;
  /** The absolute expiry (members), null for none (guests). */
  expiresAt: Date | null;
}

/** Why a session ended (`sessions.ended_reason`). */
export type SessionEndReason =
  | "revoked"
  | "signed_out"
  | "signed_out_everywhere"
  | "merged"
  | "replaced"
  | "expired"
  | "ended_by_guest"
  | "purged";

export interface CreateSessionInput {
  /** Defaults to a new `ses_…` id. */
  id?: string;
  userId: string;
  kind: IdentityKind;
  /** HMAC of the session's secret (for a guest: of the cookie value), never the secret. */
  secretHash: string | null;
  userAgent?: string | null;
  /** Absolute expiry (member sessions). */
  expiresAt?: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  kind: IdentityKind;
  generation: number;
  revoked_at: Date | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date | null;
  user_agent: string | null;
  ended_reason: string | null;
}

const COLUMNS =
  "id, user_id, kind, generation, revoked_at, created_at, last_seen_at, expires_at, user_agent, ended_reason";
const USER_AGENT_MAX_LENGTH = 512;

function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    generation: row.generation,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    endedReason: row.ended_reason,
  };
}

export async function createSession(
  db: Queryable,
  input: CreateSessionInput,
): Promise<SessionRecord> {
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO sessions (id, user_id, kind, secret_hash, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [
      input.id ?? createId("ses"),
      input.userId,
      input.kind,
      input.secretHash,
      input.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      input.expiresAt ?? null,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error("store/sessions: INSERT … RETURNING returned no row");
  return toSessionRecord(row);
}

/** The session (live or revoked) whose secret hashes to `secretHash`, or null. */
export async function findSessionBySecretHash(
  db: Queryable,
  secretHash: string,
): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${COLUMNS} FROM sessions WHERE secret_hash = $1`,
    [secretHash],
  );
  return rows[0] ? toSessionRecord(rows[0]) : null;
}

/** The session with this id (live or not), or null. */
export async function getSessionById(
  db: Queryable,
  sessionId: string,
): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [
    sessionId,
  ]);
  return rows[0] ? toSessionRecord(rows[0]) : null;
}

/** True while the session is neither revoked nor past its absolute expiry. */
export function isSessionLive(session: SessionRecord, now: Date = new Date()): boolean {
  return session.revokedAt === null && (session.expiresAt === null || session.expiresAt > now);
}

export async function getSessionState(
  db: Queryable,
  sessionId: string,
): Promise<SessionState | null> {
  const session = await getSessionById(db, sessionId);
  return session ? toSessionState(session) : null;
}

function toSessionState(session: SessionRecord): SessionState {
  return {
    userId: session.userId,
    kind: session.kind,
    generation: session.generation,
    revoked: !isSessionLive(session),
    expiresAt: session.expiresAt,
  };
}

/** The states of the sessions with these ids that exist (one query, for reconciling). */
export async function getSessionStates(
  db: Queryable,
  sessionIds: readonly string[],
): Promise<Map<string, SessionState>> {
  const states = new Map<string, SessionState>();
  if (sessionIds.length === 0) return states;
  const { rows } = await db.query<SessionRow>(
    `SELECT ${COLUMNS} FROM sessions WHERE id = ANY($1::text[])`,
    [sessionIds],
  );
  for (const row of rows) {
    const session = toSessionRecord(row);
    states.set(session.id, toSessionState(session));
  }
  return states;
}

/** A session's new auth state after a revoke (what every gateway node must apply). */
export interface RevokedSession {
  sessionId: string;
  userId: string;
  generation: number;
}

/**
 * Revokes the session: bumps its generation (so every token minted before is stale) and
 * marks it revoked (keeping the first revocation time and reason). Returns the new state,
 * or null when no such session exists. Revoking twice bumps twice.
 */
export async function revokeSession(
  db: Queryable,
  sessionId: string,
  reason: SessionEndReason = "revoked",
): Promise<RevokedSession | null> {
  const { rows } = await db.query<{ id: string; user_id: string; generation: number }>(
    `UPDATE sessions SET generation = generation + 1, revoked_at = COALESCE(revoked_at, now()),
       ended_reason = COALESCE(ended_reason, $2)
     WHERE id = $1 RETURNING id, user_id, generation`,
    [sessionId, reason],
  );
  const row = rows[0];
  return row ? { sessionId: row.id, userId: row.user_id, generation: row.generation } : null;
}

/**
 * Revokes every live session of `userId` (optionally all but `exceptSessionId`) and
 * returns what changed, for the gateways.
 */
export async function revokeUserSessions(
  db: Queryable,
  userId: string,
  reason: SessionEndReason,
  exceptSessionId: string | null = null,
): Promise<RevokedSession[]> {
  const { rows } = await db.query<{ id: string; user_id: string; generation: number }>(
    `UPDATE sessions SET generation = generation + 1, revoked_at = now(), ended_reason = $2
     WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3
     RETURNING id, user_id, generation`,
    [userId, reason, exceptSessionId],
  );
  return rows.map((r) => ({ sessionId: r.id, userId: r.user_id, generation: r.generation }));
}

/** The live sessions of a user, newest activity first. */
export async function listLiveSessions(db: Queryable, userId: string): Promise<SessionRecord[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${COLUMNS} FROM sessions
     WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
     ORDER BY last_seen_at DESC, created_at DESC`,
    [userId],
  );
  return rows.map(toSessionRecord);
}

/** Records that the session was just used (at most one write per session per minute). */
export async function touchSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query(
    `UPDATE sessions SET last_seen_at = now()
     WHERE id = $1 AND last_seen_at < now() - interval '1 minute'`,
    [sessionId],
  );
}

/**
 * Replaces a live session's secret hash, but only while it still has `expectedSecretHash`
 * (compare-and-set, so two racing re-issues cannot both win). True when replaced.
 */
export async function rotateSessionSecret(
  db: Queryable,
  input: { sessionId: string; expectedSecretHash: string; newSecretHash: string },
): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE sessions SET secret_hash = $3, last_seen_at = now()
     WHERE id = $1 AND secret_hash = $2 AND revoked_at IS NULL RETURNING id`,
    [input.sessionId, input.expectedSecretHash, input.newSecretHash],
  );
  return rows.length > 0;
}

/**
 * Rotates a live session's tokens: bumps its generation, but only from `expectedGeneration`
 * (compare-and-set, so of concurrent rotations from several tabs exactly one wins and the
 * others re-fetch). The new generation, or null when it lost or the session is not live.
 */
export async function rotateSessionGeneration(
  db: Queryable,
  sessionId: string,
  expectedGeneration: number,
): Promise<RevokedSession | null> {
  const { rows } = await db.query<{ id: string; user_id: string; generation: number }>(
    `UPDATE sessions SET generation = generation + 1, last_seen_at = now()
     WHERE id = $1 AND generation = $2 AND revoked_at IS NULL
       AND (expires_at IS NULL OR expires_at > now())
     RETURNING id, user_id, generation`,
    [sessionId, expectedGeneration],
  );
  const row = rows[0];
  return row ? { sessionId: row.id, userId: row.user_id, generation: row.generation } : null;
}
