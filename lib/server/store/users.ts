import type { IdentityKind } from "../../shared/contracts/identity";
import { createId } from "../../shared/ids";
import { type Preferences, toPreferences } from "../../shared/preferences";
import type { Queryable } from "../db/types";

/** A user as the store returns it. The password hash never leaves the store through this. */
export interface UserRecord {
  id: string;
  kind: IdentityKind;
  email: string | null;
  createdAt: Date;
  /** Set once a guest was merged into a member: that member's id. */
  mergedInto: string | null;
}

/** A member as sign-in needs it: with the stored password hash. */
export interface MemberCredentials {
  id: string;
  email: string;
  passwordHash: string;
}

interface UserRow {
  id: string;
  kind: IdentityKind;
  email: string | null;
  created_at: Date;
  merged_into: string | null;
}

const COLUMNS = "id, kind, email, created_at, merged_into";

function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    kind: row.kind,
    email: row.email,
    createdAt: row.created_at,
    mergedInto: row.merged_into,
  };
}

/** Emails are compared and stored lower-cased and trimmed. */
export function toNormalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Inserts a guest (a user with no email). `id` defaults to a new `usr_…` id. */
export async function createGuestUser(
  db: Queryable,
  id: string = createId("usr"),
): Promise<UserRecord> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, kind) VALUES ($1, 'guest') RETURNING ${COLUMNS}`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new Error("store/users: INSERT … RETURNING returned no row");
  return toUserRecord(row);
}

/**
 * Inserts a member, or returns null when the email is taken (compared case-insensitively;
 * a concurrent sign-up with the same email loses here, not with an error).
 */
export async function createMemberUser(
  db: Queryable,
  input: { email: string; passwordHash: string },
): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, kind, email, password_hash) VALUES ($1, 'member', $2, $3)
     ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [createId("usr"), toNormalizedEmail(input.email), input.passwordHash],
  );
  return rows[0] ? toUserRecord(rows[0]) : null;
}

/** The member with this email (any case), with its password hash, or null. */
export async function findMemberByEmail(
  db: Queryable,
  email: string,
): Promise<MemberCredentials | null> {
  const { rows } = await db.query<{ id: string; email: string; password_hash: string }>(
    `SELECT id, email, password_hash FROM users
     WHERE lower(email) = $1 AND kind = 'member' AND password_hash IS NOT NULL`,
    [toNormalizedEmail(email)],
  );
  const row = rows[0];
  return row ? { id: row.id, email: row.email, passwordHash: row.password_hash } : null;
}

/** The user with this id, or null. */
export async function getUserById(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUserRecord(rows[0]) : null;
}

/** Records activity (guest purge goes by it); at most one write per user per minute. */
export async function touchUser(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE users SET last_active_at = now()
     WHERE id = $1 AND last_active_at < now() - interval '1 minute'`,
    [id],
  );
}

export async function getPreferences(db: Queryable, userId: string): Promise<Preferences> {
  const { rows } = await db.query<{ preferences: unknown }>(
    "SELECT preferences FROM users WHERE id = $1",
    [userId],
  );
  return toPreferences(rows[0]?.preferences);
}

/** Merges `patch` into the stored preferences and returns the result. */
export async function updatePreferences(
  db: Queryable,
  userId: string,
  patch: Partial<Preferences>,
): Promise<Preferences> {
  const { rows } = await db.query<{ preferences: unknown }>(
    "UPDATE users SET preferences = preferences || $2::jsonb WHERE id = $1 RETURNING preferences",
    [userId, JSON.stringify(patch)],
  );
  return toPreferences(rows[0]?.preferences);
}

/** Replaces a member's password hash (a rehash with today's parameters). */
export async function updatePasswordHash(
  db: Queryable,
  userId: string,
  passwordHash: string,
): Promise<void> {
  await db.query("UPDATE users SET password_hash = $2 WHERE id = $1 AND kind = 'member'", [
    userId,
    passwordHash,
  ]);
}
