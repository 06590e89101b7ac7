import { SOCKET_TOKEN_TTL_IN_SECONDS } from "../../common/socket-tokens";

/** What the gateway knows about one session's auth state. */
export interface SessionGeneration {
  generation: number;
  revoked: boolean;
}

/**
 * The in-memory table every socket event is checked against, synchronously: sessionId →
 * the newest generation and whether it was revoked. Updates only move forward (a higher
 * generation wins; `revoked` is sticky within a generation), so a slow handshake lookup that
 * read the store before a revoke cannot undo the revoke that was applied meanwhile.
 */
export interface SessionGenerations {
  /**
   * Merges `state` monotonically and returns the current entry. `verified`: the state was
   * just read from the store, which began in receiving epoch `epoch` (see `vouchesFor`).
   */
  record(
    sessionId: string,
    state: SessionGeneration,
    verified?: StoreVerification,
  ): SessionGeneration;
  get(sessionId: string): SessionGeneration | null;
  /** True only when the session is known, not revoked, and at exactly `generation`. */
  isCurrent(sessionId: string, generation: number): boolean;
  /** A socket now relies on this entry: keep it. */
  retain(sessionId: string): void;
  /** A socket no longer relies on this entry. */
  release(sessionId: string): void;
  /** Forgets entries no socket relies on that have not changed for `idleTtlInMs`. */
  prune(now?: number): void;
  /**
   * Whether this node now learns of every session change before it answers (its own
   * authority, or the bus while it is up). Every switch starts a new epoch, so no entry read
   * before a gap in what this node heard vouches for anything afterwards.
   */
  setReceiving(receiving: boolean): void;
  /** The current receiving epoch: take it before a store read, pass it to `record`. */
  readonly epoch: number;
  /**
   * Whether the table may be trusted without the store: false while this node may miss
   * changes (bus lost), when every event reads its session from the store first.
   */
  readonly receiving: boolean;
  /** Sessions some socket relies on (what a reconcile with the store re-reads). */
  retainedIds(): string[];
  /**
   * True when the entry alone proves what a store read would: it was read from the store in
   * the current epoch while receiving every change since, for this user, and the session is
   * still live at exactly `generation` and not past its expiry. A handshake may then skip
   * the store (docs/design.md §9 and S11; docs/benchmarks.md, B7).
   */
  vouchesFor(sessionId: string, userId: string, generation: number, now?: number): boolean;
  readonly size: number;
}

/** What a store read established about a session, and in which receiving epoch it began. */
export interface StoreVerification {
  userId: string;
  /** Absolute expiry in epoch milliseconds, or null. */
  expiresAt: number | null;
  epoch: number;
}

interface Entry extends SessionGeneration {
  refs: number;
  touchedAt: number;
  verified?: StoreVerification;
}

export interface SessionGenerationsOptions {
  /**
   * How long an unreferenced entry (notably a revocation) is kept. Once it is gone the next
   * handshake reads the store, which is authoritative; the entry only has to outlive a
   * handshake that raced the change. Default: one socket-token lifetime.
   */
  idleTtlInMs?: number;
  now?: () => number;
}

export function createSessionGenerations(
  options: SessionGenerationsOptions = {},
): SessionGenerations {
  const idleTtlInMs = options.idleTtlInMs ?? SOCKET_TOKEN_TTL_IN_SECONDS * 1000;
  const clock = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let receiving = false;
  let epoch = 0;

  return {
    record(sessionId, state, verified) {
      const entry = entries.get(sessionId);
      if (!entry) {
        const created: Entry = { ...state, refs: 0, touchedAt: clock(), verified };
        entries.set(sessionId, created);
        return { generation: created.generation, revoked: created.revoked };
      }
      if (verified) entry.verified = verified;
      if (state.generation > entry.generation) {
        entry.generation = state.generation;
        entry.revoked = state.revoked;
        entry.touchedAt = clock();
      } else if (state.generation === entry.generation && state.revoked && !entry.revoked) {
        entry.revoked = true;
        entry.touchedAt = clock();
      }
      return { generation: entry.generation, revoked: entry.revoked };
    },
    get(sessionId) {
      const entry = entries.get(sessionId);
      return entry ? { generation: entry.generation, revoked: entry.revoked } : null;
    },
    isCurrent(sessionId, generation) {
      const entry = entries.get(sessionId);
      return entry !== undefined && !entry.revoked && entry.generation === generation;
    },
    retain(sessionId) {
      const entry = entries.get(sessionId);
      if (!entry) throw new Error("session-generations: retain() before record()");
      entry.refs += 1;
    },
    release(sessionId) {
      const entry = entries.get(sessionId);
      if (!entry) return;
      entry.refs = Math.max(0, entry.refs - 1);
      if (entry.refs === 0) entry.touchedAt = clock();
    },
    prune(now = clock()) {
      for (const [sessionId, entry] of entries) {
        if (entry.refs === 0 && now - entry.touchedAt >= idleTtlInMs) entries.delete(sessionId);
      }
    },
    setReceiving(next) {
      if (next !== receiving) epoch += 1;
      receiving = next;
    },
    get epoch() {
      return epoch;
    },
    get receiving() {
      return receiving;
    },
    retainedIds() {
      const ids: string[] = [];
      for (const [sessionId, entry] of entries) if (entry.refs > 0) ids.push(sessionId);
      return ids;
    },
    vouchesFor(sessionId, userId, generation, now = clock()) {
      const entry = entries.get(sessionId);
      const v = entry?.verified;
      return (
        receiving &&
        entry !== undefined &&
        v !== undefined &&
        v.epoch === epoch &&
        v.userId === userId &&
        !entry.revoked &&
        entry.generation === generation &&
        (v.expiresAt === null || v.expiresAt > now)
      );
    },
    get size() {
      return entries.size;
    },
  };
}
