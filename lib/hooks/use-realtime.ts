"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import type { IdentityStore } from "@/lib/client/identity/identity-store";
import {
  type ConnectionState,
  INITIAL_REALTIME_SNAPSHOT,
  type RealtimeConnection,
  takeRealtimeConnection,
} from "@/lib/client/realtime/realtime-connection";
import type { FoyerSocket } from "@/lib/client/realtime/socket";

export type { ConnectionState } from "@/lib/client/realtime/realtime-connection";

export interface Realtime {
  socket: FoyerSocket | null;
  state: ConnectionState;
  error: string | null;
  /** The user whose token the socket presented: channels are built only when it is ours. */
  socketUserId: string | null;
  /** Tries again after the server refused the connection. */
  reconnect: () => void;
}

const noSubscription = () => () => {};
const initial = () => INITIAL_REALTIME_SNAPSHOT;
const noop = () => {};

/**
 * The chat's realtime connection for this identity (lib/client/realtime/realtime-connection.ts): the
 * one the page opened ahead for it, else a new one; closed on unmount (the chat remounts per
 * identity epoch, so another identity always gets another socket).
 */
export function useRealtime(userId: string, store: IdentityStore): Realtime {
  const [connection, setConnection] = useState<RealtimeConnection | null>(null);

  useEffect(() => {
    const taken = takeRealtimeConnection(userId, store);
    setConnection(taken);
    return () => {
      taken.dispose();
      setConnection(null);
    };
  }, [userId, store]);

  const snapshot = useSyncExternalStore(
    connection?.subscribe ?? noSubscription,
    connection?.getSnapshot ?? initial,
    initial,
  );

  if (!connection) {
    return { socket: null, ...INITIAL_REALTIME_SNAPSHOT, reconnect: noop };
  }
  return { socket: connection.socket, ...snapshot, reconnect: connection.reconnect };
}
