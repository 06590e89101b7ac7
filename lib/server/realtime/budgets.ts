import { ConfigError, type EnvVars } from "../common/env";

/**
 * What one visitor can make a node do (docs/design.md, limits): token buckets per class of
 * event, per socket and per user (across the user's sockets on this node), an in-flight cap
 * per socket, and caps on sockets per session and per user. Everything here is synchronous
 * and in memory, so the check costs a few arithmetic operations per event. A refused event
 * answers `rate_limited:socket` with `retryAfterMs`; nothing is queued.
 */

/** Classes of client event: what a person does often, sometimes, and in bursts. */
export type EventClass = "send" | "read" | "cheap";
export const EVENT_CLASSES: readonly EventClass[] = ["send", "read", "cheap"];

/** A bucket holds `capacity` tokens and gains `perSecond` of them each second. */
export interface BucketRate {
  capacity: number;
  perSecond: number;
}

/** A bucket's state: the tokens it held at `at` (ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface SocketBudgets {
  perSocket: Record<EventClass, BucketRate>;
  perUser: Record<EventClass, BucketRate>;
  /** Events of one socket being handled at once; one more answers `rate_limited:socket`. */
  inFlightPerSocket: number;
  /** Sockets one browser session may hold on a node; one more is refused at the handshake. */
  socketsPerSession: number;
  /** Sockets one user may hold on a node, all sessions together. */
  socketsPerUser: number;
}

/**
 * Generous for people, tight for scripts. A fast typist sends about one message a second, in
 * bursts of a few pasted lines; a reconnect of five tabs joins and reads a few channels each;
 * marking read and starring follow clicks. A script flooding `message:send` gets 2/s per
 * socket and 4/s for the user, whatever the number of its sockets.
 */
export const DEFAULT_SOCKET_BUDGETS: SocketBudgets = {
  perSocket: {
    send: { capacity: 10, perSecond: 2 },
    // Above the 50 history pages one reconnect may read to fill a gap.
    read: { capacity: 60, perSecond: 10 },
    cheap: { capacity: 60, perSecond: 20 },
  },
  perUser: {
    send: { capacity: 20, perSecond: 4 },
    read: { capacity: 150, perSecond: 30 },
    cheap: { capacity: 200, perSecond: 60 },
  },
  inFlightPerSocket: 16,
  socketsPerSession: 16,
  socketsPerUser: 32,
};

/** No limits (tests and measurements that flood on purpose). */
export const UNLIMITED_SOCKET_BUDGETS: SocketBudgets = {
  perSocket: {
    send: { capacity: Infinity, perSecond: Infinity },
    read: { capacity: Infinity, perSecond: Infinity },
    cheap: { capacity: Infinity, perSecond: Infinity },
  },
  perUser: {
    send: { capacity: Infinity, perSecond: Infinity },
    read: { capacity: Infinity, perSecond: Infinity },
    cheap: { capacity: Infinity, perSecond: Infinity },
  },
  inFlightPerSocket: Infinity,
  socketsPerSession: Infinity,
  socketsPerUser: Infinity,
};

/** A full bucket at `now`. */
export function toFullBucket(rate: BucketRate, now: number): Bucket {
  return { tokens: rate.capacity, at: now };
}

/**
 * Pure: the bucket after taking one token at `now`, or how long until one is there. The
 * bucket refills continuously; time going backwards refills nothing.
 */
export function takeToken(
  bucket: Bucket,
  rate: BucketRate,
  now: number,
): { ok: true; bucket: Bucket } | { ok: false; bucket: Bucket; retryAfterMs: number } {
  if (rate.capacity === Infinity) return { ok: true, bucket };
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(rate.capacity, bucket.tokens + (elapsed * rate.perSecond) / 1000);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at: now } };
  const retryAfterMs = Math.ceil(((1 - tokens) * 1000) / rate.perSecond);
  return { ok: false, bucket: { tokens, at: now }, retryAfterMs };
}

/** Pure: whether a bucket has refilled to its capacity by `now` (nothing to remember). */
export function isFull(bucket: Bucket, rate: BucketRate, now: number): boolean {
  return bucket.tokens + (Math.max(0, now - bucket.at) * rate.perSecond) / 1000 >= rate.capacity;
}

/**
 * `FOYER_BUDGET_<CLASS>_<SOCKET|USER>` as `capacity/perSecond` (e.g. `10/2`),
 * `FOYER_SOCKET_IN_FLIGHT_MAX`, `FOYER_SOCKETS_PER_SESSION`, `FOYER_SOCKETS_PER_USER`;
 * `unlimited` for any of them lifts it. Unset: {@link DEFAULT_SOCKET_BUDGETS}.
 */
export function readSocketBudgets(env: EnvVars = process.env): SocketBudgets {
  const rate = (name: string, fallback: BucketRate): BucketRate => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (raw === "unlimited") return { capacity: Infinity, perSecond: Infinity };
    const match = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(raw);
    const capacity = Number(match?.[1]);
    const perSecond = Number(match?.[2]);
    if (!match || capacity < 1 || perSecond <= 0) {
      throw new ConfigError(
        `env: ${name} must be "capacity/perSecond" (capacity ≥ 1, e.g. "10/2") or "unlimited", got "${raw}"`,
      );
    }
    return { capacity, perSecond };
  };
  const count = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (raw === "unlimited") return Infinity;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new ConfigError(`env: ${name} must be a whole number ≥ 1 or "unlimited", got "${raw}"`);
    }
    return value;
  };
  const rates = (scope: "SOCKET" | "USER", defaults: Record<EventClass, BucketRate>) =>
    Object.fromEntries(
      EVENT_CLASSES.map((c) => [c, rate(`FOYER_BUDGET_${c.toUpperCase()}_${scope}`, defaults[c])]),
    ) as Record<EventClass, BucketRate>;
  const d = DEFAULT_SOCKET_BUDGETS;
  return {
    perSocket: rates("SOCKET", d.perSocket),
    perUser: rates("USER", d.perUser),
    inFlightPerSocket: count("FOYER_SOCKET_IN_FLIGHT_MAX", d.inFlightPerSocket),
    socketsPerSession: count("FOYER_SOCKETS_PER_SESSION", d.socketsPerSession),
    socketsPerUser: count("FOYER_SOCKETS_PER_USER", d.socketsPerUser),
  };
}

/** A socket's own budget state, kept on its `data`. */
export interface SocketBudgetState {
  buckets: Partial<Record<EventClass, Bucket>>;
  inFlight: number;
  /** Events refused in a row: a client that ignores `retryAfterMs` is flooding. */
  refusedInRow?: number;
}

/**
 * Refusals in a row after which a socket is disconnected: Foyer's client waits after each
 * one (and sends a conversation's messages one at a time), so only a script gets here.
 */
export const FLOOD_REFUSALS_IN_A_ROW = 50;

/** How long a socket over its in-flight cap is told to wait. */
export const IN_FLIGHT_RETRY_AFTER_IN_MS = 250;

/** What one node's users spent since its last report: user id → class → tokens. */
export type SpentReport = Record<string, Partial<Record<EventClass, number>>>;

export interface BudgetKeeper {
  readonly budgets: SocketBudgets;
  /** What this node's users spent since the last call, for the other nodes (then forgets it). */
  takeSpent(): SpentReport | null;
  /**
   * Spends on this node what another node's report says its users spent there, so that a
   * user's budget is one across the nodes (a bucket may go below zero: then the user waits).
   */
  applySpent(report: unknown, now: number): void;
  /**
   * Spends one event of `eventClass` from the socket's and the user's buckets at `now`:
   * null when it may run, else how long to wait (ms). A refusal spends nothing.
   */
  admit(
    state: SocketBudgetState,
    userId: string,
    eventClass: EventClass,
    now: number,
  ): number | null;
  /** Forgets users whose buckets are full again (nothing to remember). */
  prune(now: number): void;
  /** How many users it remembers (tests, diagnostics). */
  readonly size: number;
}

/** The per-user buckets of one node, and the rule that spends both kinds. */
export function createBudgetKeeper(budgets: SocketBudgets): BudgetKeeper {
  const users = new Map<string, Partial<Record<EventClass, Bucket>>>();
  let spent: SpentReport = {};
  return {
    budgets,
    takeSpent() {
      if (Object.keys(spent).length === 0) return null;
      const report = spent;
      spent = {};
      return report;
    },
    applySpent(report, now) {
      if (typeof report !== "object" || report === null) return;
      for (const [userId, classes] of Object.entries(report as Record<string, unknown>)) {
        if (typeof classes !== "object" || classes === null) continue;
        const buckets = users.get(userId) ?? {};
        for (const eventClass of EVENT_CLASSES) {
          const count = (classes as Record<string, unknown>)[eventClass];
          const rate = budgets.perUser[eventClass];
          if (typeof count !== "number" || !(count > 0) || rate.capacity === Infinity) continue;
          // Refilled to now first, then the other node's spending taken off (floor: one
          // bucket's worth below zero, so a burst elsewhere is never an unbounded wait here).
          const bucket = buckets[eventClass] ?? toFullBucket(rate, now);
          const elapsed = Math.max(0, now - bucket.at);
          const tokens = Math.min(rate.capacity, bucket.tokens + (elapsed * rate.perSecond) / 1000);
          buckets[eventClass] = { tokens: Math.max(-rate.capacity, tokens - count), at: now };
        }
        users.set(userId, buckets);
      }
    },
    admit(state, userId, eventClass, now) {
      if (state.inFlight >= budgets.inFlightPerSocket) return IN_FLIGHT_RETRY_AFTER_IN_MS;
      const socketRate = budgets.perSocket[eventClass];
      const userRate = budgets.perUser[eventClass];
      const own = takeToken(
        state.buckets[eventClass] ?? toFullBucket(socketRate, now),
        socketRate,
        now,
      );
      const buckets = users.get(userId) ?? {};
      const shared = takeToken(buckets[eventClass] ?? toFullBucket(userRate, now), userRate, now);
      if (!own.ok || !shared.ok) {
        return Math.max(own.ok ? 0 : own.retryAfterMs, shared.ok ? 0 : shared.retryAfterMs);
      }
      if (socketRate.capacity !== Infinity) state.buckets[eventClass] = own.bucket;
      if (userRate.capacity !== Infinity) {
        buckets[eventClass] = shared.bucket;
        users.set(userId, buckets);
        const mine = spent[userId] ?? {};
        mine[eventClass] = (mine[eventClass] ?? 0) + 1;
        spent[userId] = mine;
      }
      return null;
    },
    prune(now) {
      for (const [userId, buckets] of users) {
        const idle = EVENT_CLASSES.every((c) => {
          const bucket = buckets[c];
          return !bucket || isFull(bucket, budgets.perUser[c], now);
        });
        if (idle) users.delete(userId);
      }
    },
    get size() {
      return users.size;
    },
  };
}
