import { type EnvVars, readPositiveNumber } from "../common/env";
import type { Queryable } from "../db/types";
import { countMessagesSince } from "../store/messages";

/**
 * How many messages one user may send per UTC day (docs/design.md, limits): guests fewer than
 * members, so minting guests buys a script little, and the store's growth is bounded. The
 * count is read from the store once per user and day on each node, then kept in memory; with
 * several nodes a user may pass the cap by what the other nodes accepted since their read.
 */
export interface DailyCaps {
  guest: number;
  member: number;
}

export const DEFAULT_DAILY_CAPS: DailyCaps = { guest: 300, member: 3_000 };
/** No daily cap (tests and measurements that send many messages on purpose). */
export const UNLIMITED_DAILY_CAPS: DailyCaps = { guest: Infinity, member: Infinity };

/** `FOYER_DAILY_MESSAGES_GUEST`, `FOYER_DAILY_MESSAGES_MEMBER`, with defaults. */
export function readDailyCaps(env: EnvVars = process.env): DailyCaps {
  return {
    guest: readPositiveNumber(env, "FOYER_DAILY_MESSAGES_GUEST", DEFAULT_DAILY_CAPS.guest),
    member: readPositiveNumber(env, "FOYER_DAILY_MESSAGES_MEMBER", DEFAULT_DAILY_CAPS.member),
  };
}

/** Pure: the start of `now`'s UTC day. */
export function toUtcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export interface DailyCapKeeper {
  /** Spends one message of the user's day: false when the cap is reached. */
  spend(db: Queryable, userId: string, kind: "guest" | "member", now?: Date): Promise<boolean>;
  /** Gives back a spent message (a resend that stored nothing new, a failed write). */
  refund(userId: string): void;
  /** Forgets the days that are over. */
  prune(now?: Date): void;
}

export function createDailyCapKeeper(caps: DailyCaps): DailyCapKeeper {
  const counts = new Map<string, { day: number; count: number }>();
  const loading = new Map<string, Promise<number>>();
  return {
    async spend(db, userId, kind, now = new Date()) {
      const cap = caps[kind];
      if (cap === Infinity) return true;
      const day = toUtcDayStart(now).getTime();
      let entry = counts.get(userId);
      if (entry?.day !== day) {
        // One read per user and day, shared by concurrent sends.
        const key = `${userId}@${day}`;
        let read = loading.get(key);
        if (!read) {
          read = countMessagesSince(db, userId, new Date(day)).finally(() => loading.delete(key));
          loading.set(key, read);
        }
        const stored = await read;
        entry = counts.get(userId);
        if (entry?.day !== day) {
          entry = { day, count: stored };
          counts.set(userId, entry);
        }
      }
      if (entry.count >= cap) return false;
      entry.count += 1;
      return true;
    },
    refund(userId) {
      const entry = counts.get(userId);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    prune(now = new Date()) {
      const day = toUtcDayStart(now).getTime();
      for (const [userId, entry] of counts) if (entry.day !== day) counts.delete(userId);
    },
  };
}
