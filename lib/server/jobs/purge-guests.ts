import { type EnvVars, readPositiveNumber as readPositive } from "../common/env";
import type { LogFn } from "../common/log";
import type { Db } from "../db/types";
import { deleteGenerationsBefore } from "../store/generations";
import { deleteMessagesBefore, type PurgeResult, purgeGuests } from "../store/purge";
import type { RevokedSession } from "../store/sessions";

/** Guests with no activity for this long are removed with their data. */
export const DEFAULT_GUEST_MAX_IDLE_IN_DAYS = 30;
export const DEFAULT_GUEST_PURGE_INTERVAL_IN_SECONDS = 60 * 60;

/** Messages older than this are deleted by the same job (`FOYER_RETENTION_DAYS`). */
export const DEFAULT_RETENTION_IN_DAYS = 365;

export interface GuestPurgeOptions {
  maxIdleInDays: number;
  intervalInSeconds: number;
  /** Days a message is kept; `Infinity` keeps every message. */
  retentionInDays: number;
}

/** `FOYER_GUEST_MAX_IDLE_IN_DAYS` and `FOYER_GUEST_PURGE_INTERVAL_IN_SECONDS`, with defaults. */
export function readGuestPurgeOptions(env: EnvVars = process.env): GuestPurgeOptions {
  return {
    maxIdleInDays: readPositive(
      env,
      "FOYER_GUEST_MAX_IDLE_IN_DAYS",
      DEFAULT_GUEST_MAX_IDLE_IN_DAYS,
    ),
    intervalInSeconds: readPositive(
      env,
      "FOYER_GUEST_PURGE_INTERVAL_IN_SECONDS",
      DEFAULT_GUEST_PURGE_INTERVAL_IN_SECONDS,
    ),
    retentionInDays:
      env.FOYER_RETENTION_DAYS === "forever"
        ? Infinity
        : readPositive(env, "FOYER_RETENTION_DAYS", DEFAULT_RETENTION_IN_DAYS),
  };
}

export interface GuestPurgeJob {
  /** One run now (runs never overlap: a call during a run gets that run's result). */
  runOnce(now?: Date): Promise<PurgeResult>;
  stop(): void;
}

/**
 * The periodic purge of merged and abandoned guests. Idempotent, safe on several nodes at
 * once (rows are locked with SKIP LOCKED), and it closes the purged guests' sockets
 * through `onSessionsEnded` (the gateway's session change).
 */
export function startGuestPurgeJob(deps: {
  db: Db;
  options: GuestPurgeOptions;
  onSessionsEnded: (ended: RevokedSession[]) => void;
  log: LogFn;
}): GuestPurgeJob {
  let running: Promise<PurgeResult> | null = null;
  const runOnce = (now = new Date()): Promise<PurgeResult> => {
    running ??= (async () => {
      try {
        const idleSince = new Date(now.getTime() - deps.options.maxIdleInDays * 86_400_000);
        const result = await purgeGuests(deps.db, { idleSince });
        deps.onSessionsEnded(result.endedSessions);
        // Answers count against today's allowances only; two days keeps every time zone's day.
        await deleteGenerationsBefore(deps.db, new Date(now.getTime() - 2 * 86_400_000));
        const { retentionInDays } = deps.options;
        if (Number.isFinite(retentionInDays)) {
          const before = new Date(now.getTime() - retentionInDays * 86_400_000);
          const expired = await deleteMessagesBefore(deps.db, before);
          if (expired > 0) deps.log("messages.retention_purged", { messages: expired });
          result.messages += expired;
        }
        if (result.users > 0) {
          deps.log("guests.purged", {
            users: result.users,
            messages: result.messages,
            sessionsEnded: result.endedSessions.length,
          });
        }
        return result;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) =>
      deps.log("guests.purge_failed", {
        error: error instanceof Error ? error.message : "unknown",
      }),
    );
  }, deps.options.intervalInSeconds * 1000);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
