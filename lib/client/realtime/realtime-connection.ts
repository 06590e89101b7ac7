/**
 * The chat's realtime connection for one identity, outside React: the socket and every
 * listener that keeps it honest, with a small snapshot (state, error, the token's user) that
 * `useRealtime` renders. It lives outside React so that the chat page can open it the moment
 * the identity is known, while the page is still hydrating (`prepareRealtimeConnection`,
 * docs/benchmarks.md B8): the chat then takes it when it mounts instead of opening its own.
 *
 * One connection per identity (the chat remounts per identity epoch): closed on dispose with
 * its send buffer dropped, so nothing queued under one identity is ever sent under another.
 * Before every handshake the tab's identity is checked for freshness and the token comes from
 * the token manager, which only holds tokens of the owner; the socket renews its token in
 * place (`token:refresh`) before expiry. A revoked session re-syncs the whole identity.
 */

import type { IdentityStore } from "../identity/identity-store";
import type { TokenRenewal } from "../identity/token-manager";
import {
  type ConnectionAction,
  type ConnectionEvent,
  type ConnectionState,
  canPresentToken,
  INITIAL_CONNECTION_FACTS,
  isInPlaceRefreshDue,
  toConnectionStep,
  toRenewalAction,
} from "./connection-decisions";
import { countClientEvent, markClientMoment } from "./diagnostics";
import { createFoyerSocket, emitWithAck, type FoyerSocket, toTokenSubject } from "./socket";

export type { ConnectionState } from "./connection-decisions";

declare global {
  interface Window {
    __foyerDropConnection?: () => void;
  }
}

export interface RealtimeSnapshot {
  state: ConnectionState;
  error: string | null;
  /** The user whose token the socket presented: channels are built only when it is ours. */
  socketUserId: string | null;
}

export interface RealtimeConnection {
  readonly userId: string;
  readonly socket: FoyerSocket;
  getSnapshot(): RealtimeSnapshot;
  subscribe(listener: () => void): () => void;
  /** Tries again after the server refused the connection. */
  reconnect(): void;
  dispose(): void;
}

export const INITIAL_REALTIME_SNAPSHOT: RealtimeSnapshot = {
  state: "connecting",
  error: null,
  socketUserId: null,
};

/**
 * Opens the connection for `userId` at once. The socket's events go through
 * `toConnectionStep` (connection-decisions.ts); this closure holds the socket and the
 * snapshot, and performs what it decides.
 */
export function openRealtimeConnection(userId: string, store: IdentityStore): RealtimeConnection {
  const { tokens } = store;
  const listeners = new Set<() => void>();
  let snapshot = INITIAL_REALTIME_SNAPSHOT;
  let disposed = false;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  let facts = INITIAL_CONNECTION_FACTS;
  let presented: string | null = null;

  const update = (change: Partial<RealtimeSnapshot>) => {
    if (disposed) return;
    snapshot = { ...snapshot, ...change };
    for (const listener of listeners) listener();
  };

  const on = (event: ConnectionEvent) => {
    if (disposed) return;
    const step = toConnectionStep(facts, event, userId);
    facts = step.facts;
    perform(step.action);
  };

  const perform = (action: ConnectionAction) => {
    switch (action.kind) {
      case "show": {
        const { kind: _, ...change } = action;
        update(change);
        return;
      }
      case "reconnect":
        tokens.invalidate();
        socket.connect();
        return;
      case "check":
        update({ state: action.state });
        void store
          .checkFreshness({ force: true })
          .then((fresh) => on({ type: "checked", fresh, cause: action.cause }));
        return;
      case "resync":
        void store.resync(action.notice).then(() => on({ type: "resynced", owner: tokens.owner }));
        return;
      case "none":
        return;
    }
  };

  // The token to present, or null when there is none of this user's (a re-sync is asked
  // for when the identity changed or ended).
  const toToken = (renewal: TokenRenewal): string | null => {
    if (disposed) return null;
    const action = toRenewalAction(renewal, userId);
    if (action.kind === "resync") void store.resync("identity_changed");
    if (action.kind === "present") return action.token;
    return action.kind === "present_held" ? (tokens.current()?.socketToken ?? null) : null;
  };

  const present = (token: string) => {
    presented = token;
    update({ socketUserId: toTokenSubject(token) });
  };

  const socket = createFoyerSocket({
    getToken: async () => {
      // A tab that missed a broadcast finds out here, before presenting any token.
      const fresh = await store.checkFreshness();
      if (disposed || !canPresentToken(fresh, tokens.owner, userId)) return null;
      const token = toToken(await tokens.getFreshToken());
      if (token !== null) present(token);
      return token;
    },
  });

  // Swaps the socket's token in place (same user only; the server re-checks).
  const refreshInPlace = async (token: string) => {
    if (disposed || !isInPlaceRefreshDue(socket.connected, presented, token)) return;
    const ack = await emitWithAck(socket, "token:refresh", { token });
    if (ack.status === "OK") present(token);
  };

  const scheduleRenewal = () => {
    clearTimeout(renewTimer);
    renewTimer = setTimeout(async () => {
      // Rotates (one tab wins; the others adopt its token through tab-sync or re-fetch).
      const token = toToken(await tokens.renew());
      if (token === null || disposed) return;
      await refreshInPlace(token);
      scheduleRenewal();
    }, tokens.msUntilRenewal());
  };

  // A token this tab got by any path (its own rotation, another tab's, a re-fetch) is
  // presented at once, so the socket never lags behind a rotation for long.
  const stopWatching = tokens.onChange((token) => {
    if (token.userId !== userId) return;
    void refreshInPlace(token.socketToken);
    scheduleRenewal();
  });

  socket.on("connect", () => {
    countClientEvent("socketConnects");
    markClientMoment("socket-connected");
    on({ type: "connect" });
  });
  socket.on("connect_error", (err) =>
    on({ type: "connect_error", active: socket.active, message: err.message }),
  );
  socket.on("disconnect", (reason) => on({ type: "disconnect", active: socket.active, reason }));
  // Merged into a member, signed out, ended from another device, replaced by a newer
  // sign-in: re-read the cookies as a whole (another user rebuilds the chat).
  socket.on("session:revoked", ({ reason }) => on({ type: "session_revoked", reason }));
  // Another tab rotated the session's tokens: re-fetch the current one (never rotate again).
  socket.on("session:rotated", () => void tokens.refetch().then(toToken));

  // Diagnostics: drop this tab's transport as a network failure would (Socket.IO then
  // reconnects on its own). Used by operators reproducing reconnects, and by the tests.
  const dropConnection = () => socket.io.engine?.close();
  window.__foyerDropConnection = dropConnection;

  socket.connect();
  scheduleRenewal();

  return {
    userId,
    socket,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // "Try again": first make sure the cookies still name this user (if not, the re-sync
    // rebuilds the chat), then connect with a fresh token.
    reconnect: () => on({ type: "retry", connected: socket.connected }),
    dispose() {
      if (disposed) return;
      disposed = true;
      listeners.clear();
      stopWatching();
      clearTimeout(renewTimer);
      socket.removeAllListeners();
      // Emits buffered while offline belong to this identity: they must never be sent.
      socket.sendBuffer.length = 0;
      socket.disconnect();
      if (window.__foyerDropConnection === dropConnection) window.__foyerDropConnection = undefined;
    },
  };
}

let prepared: { connection: RealtimeConnection; store: IdentityStore; epoch: number } | null = null;
let stopWatchingPrepared: (() => void) | undefined;
/** The identity epoch the chat last took a connection for: never prepared again. */
let taken: { store: IdentityStore; epoch: number } | null = null;

function dropPrepared(): RealtimeConnection | null {
  const connection = prepared?.connection ?? null;
  prepared = null;
  stopWatchingPrepared?.();
  stopWatchingPrepared = undefined;
  return connection;
}

/**
 * Opens the connection for the identity the store holds now, before the chat has rendered
 * (the chat page calls it the moment its cold start makes the identity ready). The chat takes
 * it when it mounts; if the identity changes or ends first, it is closed without ever being
 * used. Nothing is opened for an identity epoch the chat already took a connection for.
 */
export function prepareRealtimeConnection(store: IdentityStore): void {
  const state = store.getState();
  if (state.status !== "ready" || prepared) return;
  const { epoch } = state;
  if (taken?.store === store && taken.epoch === epoch) return;
  const connection = openRealtimeConnection(state.session.userId, store);
  prepared = { connection, store, epoch };
  stopWatchingPrepared = store.subscribe(() => {
    const now = store.getState();
    if (now.status === "ready" && now.epoch === epoch) return;
    dropPrepared()?.dispose();
  });
}

/** The prepared connection when it is for this user and identity epoch, else a new one. */
export function takeRealtimeConnection(userId: string, store: IdentityStore): RealtimeConnection {
  const candidate = prepared;
  const connection = dropPrepared();
  const state = store.getState();
  if (state.status === "ready") taken = { store, epoch: state.epoch };
  if (
    candidate &&
    connection &&
    candidate.store === store &&
    connection.userId === userId &&
    state.status === "ready" &&
    state.epoch === candidate.epoch
  ) {
    return connection;
  }
  connection?.dispose();
  return openRealtimeConnection(userId, store);
}
