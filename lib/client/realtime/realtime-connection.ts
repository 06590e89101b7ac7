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
import type { ConnectionState } from "./connection-decisions";
import { countClientEvent, markClientMoment } from "./diagnostics";
import { createFoyerSocket, emitWithAck, type FoyerSocket, toTokenSubject } from "./socket";

declare global {
  interface Window {
    __foyerDropConnection?: () => void;
  }
}

export type { ConnectionState } from "./connection-decisions";

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

/** Opens the connection for `userId` at once. */
export function openRealtimeConnection(userId: string, store: IdentityStore): RealtimeConnection {
  const { tokens } = store;
  const listeners = new Set<() => void>();
  let snapshot = INITIAL_REALTIME_SNAPSHOT;
  let disposed = false;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  let everConnected = false;
  let retriedRefusal = false;
  let revokedByServer = false;
  let presented: string | null = null;

  const update = (change: Partial<RealtimeSnapshot>) => {
    if (disposed) return;
    snapshot = { ...snapshot, ...change };
    for (const listener of listeners) listener();
  };
  const setState = (state: ConnectionState) => update({ state });

  // Returns the token to use, or null when the identity changed or ended (handled here).
  const handleRenewal = (renewal: TokenRenewal): string | null => {
    if (disposed) return null;
    if (renewal.kind === "token") return renewal.userId === userId ? renewal.token : null;
    // Another user, or no session: re-read the cookies as a whole. (A guest revoked because
    // it was merged into a member is such a case: the re-sync waits for the member.)
    if (renewal.kind === "identity_changed" || renewal.kind === "ended") {
      void store.resync("identity_changed");
    }
    return renewal.kind === "error" ? (tokens.current()?.socketToken ?? null) : null;
  };

  const socket = createFoyerSocket({
    getToken: async () => {
      // A tab that missed a broadcast finds out here, before presenting any token.
      if ((await store.checkFreshness()) === "changed" || disposed) return null;
      if (tokens.owner !== userId) return null;
      const token = handleRenewal(await tokens.getFreshToken());
      if (token !== null) {
        presented = token;
        update({ socketUserId: toTokenSubject(token) });
      }
      return token;
    },
  });

  // Swaps the socket's token in place (same user only; the server re-checks).
  const refreshInPlace = async (token: string) => {
    if (disposed || !socket.connected || token === presented) return;
    const ack = await emitWithAck(socket, "token:refresh", { token });
    if (ack.status === "OK") {
      presented = token;
      update({ socketUserId: toTokenSubject(token) });
    }
  };

  const scheduleRenewal = () => {
    clearTimeout(renewTimer);
    renewTimer = setTimeout(async () => {
      // Rotates (one tab wins; the others adopt its token through tab-sync or re-fetch).
      const token = handleRenewal(await tokens.renew());
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
    everConnected = true;
    retriedRefusal = false;
    update({ state: "connected", error: null });
  });
  socket.on("connect_error", (err) => {
    if (socket.active) {
      setState(everConnected ? "reconnecting" : "connecting");
      return;
    }
    // The server refused the handshake. The token may have expired meanwhile: renew once.
    if (!retriedRefusal) {
      retriedRefusal = true;
      tokens.invalidate();
      socket.connect();
      return;
    }
    update({ state: "error", error: err.message || "The server refused the connection." });
  });
  socket.on("disconnect", (reason) => {
    if (socket.active) {
      setState("reconnecting");
    } else if (reason === "io server disconnect") {
      // After session:revoked its own handler is in charge (below).
      if (revokedByServer) return;
      // The server closed it (an expired token, a shutdown). If the cookies still name this
      // user, come back once with a fresh token; if they name someone else, the re-sync
      // rebuilds the chat.
      setState("reconnecting");
      void store.checkFreshness({ force: true }).then((fresh) => {
        if (disposed || fresh === "changed") return;
        if (fresh === "unknown") {
          update({ state: "error", error: "The server closed the connection." });
          return;
        }
        tokens.invalidate();
        socket.connect();
      });
    }
  });
  // Merged into a member, signed out, ended from another device, replaced by a newer
  // sign-in: re-read the cookies as a whole. Another user rebuilds the chat (this socket is
  // disposed); the same user (a replaced session) reconnects with a fresh token.
  socket.on("session:revoked", ({ reason }) => {
    revokedByServer = true;
    const notice =
      reason === "revoked" || reason === "signed_out_everywhere"
        ? "session_revoked"
        : "identity_changed";
    void store.resync(notice).then(() => {
      if (disposed || store.tokens.owner !== userId) return;
      revokedByServer = false;
      tokens.invalidate();
      socket.connect();
    });
  });
  // Another tab rotated the session's tokens: re-fetch the current one (never rotate again).
  socket.on("session:rotated", () => void tokens.refetch().then(handleRenewal));

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
    reconnect() {
      if (disposed || socket.connected) return;
      setState("connecting");
      void store.checkFreshness({ force: true }).then((fresh) => {
        if (fresh === "changed" || disposed) return;
        store.tokens.invalidate();
        socket.connect();
      });
    },
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
