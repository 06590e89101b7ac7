import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
} from "rate-limiter-flexible";
import { createClient } from "redis";
import type { LogFn } from "../../common/log";
import { waitAtMost } from "../../common/wait-at-most";

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
        await waitAtMost(
          redis.close().catch(() => {}),
          CLOSE_TIMEOUT_IN_MS,
        );
      }
      if (redis.isOpen) redis.destroy();
    },
  };
}
