import type { Identity } from "../../../shared/contracts/identity";
import {
  isReceivingSessionChanges,
  subscribeSessionChanges,
} from "../../common/session-change-hub";

/**
 * Identities middleware resolved from cookies, per process, so that a page or API request
 * with the same cookies is a memory lookup instead of a call to the authority
 * (docs/design.md §9 and S17). Keyed by the keyed hash of the identity cookies (identity-header.ts).
 *
 * Correctness: an entry is dropped the moment its session changes — the gateway publishes
 * every rotate and revoke it applies through the session-change hub, before the change
 * answers — and a resolution that was in flight while any session changed is not cached,
 * so an answer from before a revoke can never be remembered after it. Entries live
 * `ttlInMs` at most, so a member session's idle or absolute expiry applies within that.
 */
export const IDENTITY_CACHE_TTL_IN_MS = 5_000;
export const IDENTITY_CACHE_MAX_ENTRIES = 10_000;

export interface IdentityCache {
  /** The cached identity for `key`, or null (absent, expired or invalidated). */
  get(key: string, now?: number): Identity | null;
  /** Call before asking the authority; pass the result to `remember`. */
  begin(): number;
  /** Caches `identity` unless a session changed since `begin`. */
  remember(key: string, identity: Identity, begun: number, now?: number): void;
  /** Forgets the entries of `sessionId`, or every entry for null. */
  invalidate(sessionId: string | null): void;
  readonly size: number;
}

interface Entry {
  identity: Identity;
  expiresAt: number;
}

export function createIdentityCache(
  options: { ttlInMs?: number; maxEntries?: number } = {},
): IdentityCache {
  const ttlInMs = options.ttlInMs ?? IDENTITY_CACHE_TTL_IN_MS;
  const maxEntries = options.maxEntries ?? IDENTITY_CACHE_MAX_ENTRIES;
  const entries = new Map<string, Entry>();
  const keysBySession = new Map<string, Set<string>>();
  let changes = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const keys = keysBySession.get(entry.identity.sessionId);
    keys?.delete(key);
    if (keys?.size === 0) keysBySession.delete(entry.identity.sessionId);
  };

  return {
    get(key, now = Date.now()) {
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt > now) return entry.identity;
      drop(key);
      return null;
    },
    begin: () => changes,
    remember(key, identity, begun, now = Date.now()) {
      if (begun !== changes) return;
      drop(key);
      // Oldest first: Map keeps insertion order.
      while (entries.size >= maxEntries) drop(entries.keys().next().value as string);
      entries.set(key, { identity, expiresAt: now + ttlInMs });
      const keys = keysBySession.get(identity.sessionId) ?? new Set<string>();
      keys.add(key);
      keysBySession.set(identity.sessionId, keys);
    },
    invalidate(sessionId) {
      changes += 1;
      if (sessionId === null) {
        entries.clear();
        keysBySession.clear();
        return;
      }
      for (const key of keysBySession.get(sessionId) ?? []) drop(key);
    },
    get size() {
      return entries.size;
    },
  };
}

const REGISTRY_KEY = Symbol.for("foyer.identity-cache");

/**
 * The process-wide cache (one for middleware's bundle and the custom server alike), or null
 * while this process does not receive every session change: then nothing is cached and
 * every request asks the authority, as before.
 */
export function getProcessIdentityCache(): IdentityCache | null {
  if (!isReceivingSessionChanges()) return null;
  const scope = globalThis as typeof globalThis & { [REGISTRY_KEY]?: IdentityCache };
  if (!scope[REGISTRY_KEY]) {
    const cache = createIdentityCache();
    subscribeSessionChanges((sessionId) => cache.invalidate(sessionId));
    scope[REGISTRY_KEY] = cache;
  }
  return scope[REGISTRY_KEY];
}
