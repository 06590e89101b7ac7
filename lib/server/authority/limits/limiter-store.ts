import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { createClient } from "redis";
import type { LogFn } from "../../common/log";

/**
 * Where the authority's counters live. Without a store: in this process's memory, so each
 * authority (one per node) counts alone. With a Redis store (`REDIS_URL`), every authority
 * on that Redis shares each budget, so adding nodes does not multiply an attacker's
 * allowance; while Redis is unreachable each falls back to its own memory (fail soft: the
 * limits still hold per node, and sign-ins do not wait on a dead connection).
 */
export interface LimitStore {
  redis: RedisClient;
  /** Prefix of every key (tests give each run its own). @default "foyer:limits" */
  keyPrefix?: string;
}

export type RedisClient = ReturnType<typeof createClient>;

/** A fixed window: at most `points` per `durationInSeconds`. */
export interface LimitWindow {
  points: number;
  durationInSeconds: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A counter of `window` under `name`, in `store` (memory when there is none). */
export function createLimiter(
  name: string,
  window: LimitWindow,
  store?: LimitStore,
): RateLimiterAbstract {
  const memory = new RateLimiterMemory({
    keyPrefix: name,
    points: window.points,
    duration: window.durationInSeconds,
  });
  if (!store) return memory;
  return new RateLimiterRedis({
    storeClient: store.redis,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    keyPrefix: `${store.keyPrefix ?? "foyer:limits"}:${name}`,
    points: window.points,
    duration: window.durationInSeconds,
    insuranceLimiter: memory,
  });
}

/** Whole seconds to wait, at least 1. */
export function toRetryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** Spends `points` under `key`; a refusal says when to retry. */
export async function consumeFrom(
  limiter: RateLimiterAbstract,
  key: string,
  points = 1,
): Promise<LimitDecision> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { allowed: false, retryAfterSeconds: toRetryAfterSeconds(rejection.msBeforeNext) };
  }
}

const CLOSE_TIMEOUT_IN_MS = 1_000;

/** A Redis client for the limits, connected, and how to close it. */
export async function createRedisLimitStore(
  url: string,
  log: LogFn,
): Promise<{ store: LimitStore; close(): Promise<void> }> {
  const redis = createClient({
    url,
    // Commands while disconnected fail at once (the memory fallback answers) instead of queueing.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000) },
  });
  let lost = false;
  // Without an error listener a dropped connection would crash the process.
  redis.on("error", (error: Error) => {
    if (lost) return;
    lost = true;
    log("authority.limits_store_lost", { error: error.message });
  });
  redis.on("ready", () => {
    if (!lost) return;
    lost = false;
    log("authority.limits_store_recovered", {});
  });
  await redis.connect();
  return {
    store: { redis },
    async close() {
      if (!redis.isOpen) return;
      // A clean close only when connected; otherwise (or if it hangs) drop the socket.
      if (redis.isReady) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          redis.close().catch(() => {}),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_TIMEOUT_IN_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      if (redis.isOpen) redis.destroy();
    },
  };
}
