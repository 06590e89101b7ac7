/**
 * Session changes (rotations and revocations) as this process's gateway applies them, for
 * the caches derived from sessions (the identity cache). Next.js bundles its own copy of
 * every module it imports, so all state lives in one typed registry on `globalThis`
 * (CONTRIBUTING.md, process singletons): the custom server's gateway publishes, the middleware's
 * bundled copy reads.
 *
 * A cache may trust the hub only while this process is sure to learn of every change before
 * it answers: a gateway wired to the in-process authority, or to the bus while the bus is
 * up. `isReceivingSessionChanges()` says exactly that; when it is false, caches stay off.
 */

/** A session whose auth state changed, or null: forget everything (the bus was lost). */
export type SessionChangeListener = (sessionId: string | null) => void;

interface HubState {
  listeners: Set<SessionChangeListener>;
  /** Attached receivers and whether each is live now. */
  receivers: Map<symbol, boolean>;
}

const REGISTRY_KEY = Symbol.for("foyer.session-change-hub");

function getHub(): HubState {
  const scope = globalThis as typeof globalThis & { [REGISTRY_KEY]?: HubState };
  scope[REGISTRY_KEY] ??= { listeners: new Set(), receivers: new Map() };
  return scope[REGISTRY_KEY];
}

/** Calls every listener, synchronously (a change must be applied before it answers). */
export function publishSessionChange(sessionId: string | null): void {
  for (const listener of getHub().listeners) listener(sessionId);
}

export function subscribeSessionChanges(listener: SessionChangeListener): () => void {
  const { listeners } = getHub();
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export interface ChangeReceiver {
  /** False while changes may be missed (bus down); every listener is told to forget all. */
  setLive(live: boolean): void;
  detach(): void;
}

/** A gateway of this process that receives every session change (see the module comment). */
export function attachChangeReceiver(): ChangeReceiver {
  const { receivers } = getHub();
  const id = Symbol("receiver");
  receivers.set(id, true);
  return {
    setLive(live) {
      if (!receivers.has(id)) return;
      receivers.set(id, live);
      publishSessionChange(null);
    },
    detach() {
      receivers.delete(id);
      publishSessionChange(null);
    },
  };
}

/** True when at least one receiver is attached and every attached one is live. */
export function isReceivingSessionChanges(): boolean {
  const { receivers } = getHub();
  return receivers.size > 0 && [...receivers.values()].every(Boolean);
}
