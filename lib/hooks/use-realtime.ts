"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { countClientEvent, markClientMoment } from "@/lib/client/diagnostics";
import type { IdentityStore } from "@/lib/client/identity";
import {
  createFoyerSocket,
  emitWithAck,
  type FoyerSocket,
  toTokenSubject,
} from "@/lib/client/socket";
import type { TokenRenewal } from "@/lib/client/token-manager";

declare global {
  interface Window {
    __foyerDropConnection?: () => void;
  }
}

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "error";

export interface Realtime {
  socket: FoyerSocket | null;
  state: ConnectionState;
  error: string | null;
  /** The user whose token the socket presented: channels are built only when it is ours. */
  socketUserId: string | null;
  /** Tries again after the server refused the connection. */
  reconnect: () => void;
}

/**
 * One socket per identity (the chat remounts per identity epoch): created on mount, closed
 * on unmount with its send buffer dropped, so nothing queued under one identity is ever
 * sent under another. Before every handshake the tab's identity is checked for freshness
 * and the token comes from the token manager, which only holds tokens of the owner; the
 * socket renews its token in place (`token:refresh`) before expiry. A revoked session
 * re-syncs the whole identity.
 */
export function useRealtime(userId: string, store: IdentityStore): Realtime {
  const [socket, setSocket] = useState<FoyerSocket | null>(null);
  const [state, setState] = useState<ConnectionState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [socketUserId, setSocketUserId] = useState<string | null>(null);
  const presented = useRef<string | null>(null);

  useEffect(() => {
    const { tokens } = store;
    let disposed = false;
    let renewTimer: ReturnType<typeof setTimeout> | undefined;
    let everConnected = false;
    let retriedRefusal = false;
    let revokedByServer = false;

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

    const next = createFoyerSocket({
      getToken: async () => {
        // A tab that missed a broadcast finds out here, before presenting any token.
        if ((await store.checkFreshness()) === "changed" || disposed) return null;
        if (tokens.owner !== userId) return null;
        const token = handleRenewal(await tokens.getFreshToken());
        if (token !== null) {
          presented.current = token;
          setSocketUserId(toTokenSubject(token));
        }
        return token;
      },
    });

    // Swaps the socket's token in place (same user only; the server re-checks).
    const refreshInPlace = async (token: string) => {
      if (disposed || !next.connected || token === presented.current) return;
      const ack = await emitWithAck(next, "token:refresh", { token });
      if (ack.status === "OK") {
        presented.current = token;
        setSocketUserId(toTokenSubject(token));
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

    next.on("connect", () => {
      countClientEvent("socketConnects");
      markClientMoment("socket-connected");
      everConnected = true;
      retriedRefusal = false;
      setError(null);
      setState("connected");
    });
    next.on("connect_error", (err) => {
      if (next.active) {
        setState(everConnected ? "reconnecting" : "connecting");
        return;
      }
      // The server refused the handshake. The token may have expired meanwhile: renew once.
      if (!retriedRefusal) {
        retriedRefusal = true;
        tokens.invalidate();
        next.connect();
        return;
      }
      setError(err.message || "The server refused the connection.");
      setState("error");
    });
    next.on("disconnect", (reason) => {
      if (next.active) {
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
            setError("The server closed the connection.");
            setState("error");
            return;
          }
          tokens.invalidate();
          next.connect();
        });
      }
    });
    // Merged into a member, signed out, ended from another device, replaced by a newer
    // sign-in: re-read the cookies as a whole. Another user rebuilds the chat (this socket is
    // disposed); the same user (a replaced session) reconnects with a fresh token.
    next.on("session:revoked", ({ reason }) => {
      revokedByServer = true;
      const notice =
        reason === "revoked" || reason === "signed_out_everywhere"
          ? "session_revoked"
          : "identity_changed";
      void store.resync(notice).then(() => {
        if (disposed || store.tokens.owner !== userId) return;
        revokedByServer = false;
        tokens.invalidate();
        next.connect();
      });
    });
    // Another tab rotated the session's tokens: re-fetch the current one (never rotate again).
    next.on("session:rotated", () => void tokens.refetch().then(handleRenewal));

    // Diagnostics: drop this tab's transport as a network failure would (Socket.IO then
    // reconnects on its own). Used by operators reproducing reconnects, and by the tests.
    window.__foyerDropConnection = () => next.io.engine?.close();

    setSocket(next);
    setState("connecting");
    setError(null);
    next.connect();
    scheduleRenewal();

    return () => {
      disposed = true;
      stopWatching();
      clearTimeout(renewTimer);
      next.removeAllListeners();
      // Emits buffered while offline belong to this identity: they must never be sent.
      next.sendBuffer.length = 0;
      next.disconnect();
      window.__foyerDropConnection = undefined;
      setSocket(null);
      setSocketUserId(null);
    };
  }, [userId, store]);

  // "Try again": first make sure the cookies still name this user (if not, the re-sync
  // rebuilds the chat), then connect with a fresh token.
  const reconnect = useCallback(() => {
    if (!socket || socket.connected) return;
    setState("connecting");
    void store.checkFreshness({ force: true }).then((fresh) => {
      if (fresh === "changed") return;
      store.tokens.invalidate();
      socket.connect();
    });
  }, [socket, store]);

  return { socket, state: socket ? state : "connecting", error, socketUserId, reconnect };
}
