import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import type { LogFn } from "../common/log";
import { waitAtMost } from "../common/wait-at-most";

/**
 * The Socket.IO Redis adapter (classic pub/sub) that lets several gateway nodes serve one
 * chat. Why pub/sub: every message is already durable in the store with a per-channel seq,
 * and clients fill gaps from the store, so the bus only has to be fast, not durable (the
 * streams adapter's replay would not survive a Redis restart without persistence anyway);
 * sharded pub/sub only pays off on a Redis Cluster. Server-side emits with acknowledgements
 * (how a revoke is confirmed by every node) work over it.
 *
 * After the connection to Redis comes back, `onRecovered` listeners run: messages published
 * meanwhile were lost, so the node asks its clients to re-sync from the store.
 */
export interface RedisBus {
  adapter: ReturnType<typeof createAdapter>;
  onRecovered(listener: () => void): void;
  /** Runs when the connection to Redis is lost (changes from other nodes may be missed). */
  onLost(listener: () => void): void;
  /** False from a lost connection until both clients are ready (and subscribed) again. */
  readonly up: boolean;
  close(): Promise<void>;
}

/** How long a server-side emit waits for every other node's acknowledgement. */
export const BUS_REQUESTS_TIMEOUT_IN_MS = 2_000;

export async function createRedisBus(
  url: string,
  options: { log?: LogFn; requestsTimeoutInMs?: number; key?: string } = {},
): Promise<RedisBus> {
  const log = options.log ?? (() => {});
  const pub = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000) },
  });
  const sub = pub.duplicate();
  const listeners = new Set<() => void>();
  const lostListeners = new Set<() => void>();
  let lost = false;
  for (const [name, client] of [
    ["pub", pub],
    ["sub", sub],
  ] as const) {
    // Without an error listener a dropped connection would crash the process.
    client.on("error", (error: Error) => {
      if (!lost) {
        log("bus.connection_lost", { client: name, error: error.message });
        lost = true;
        for (const listener of lostListeners) listener();
      }
    });
    client.on("ready", () => {
      if (!lost || !pub.isReady || !sub.isReady) return;
      lost = false;
      log("bus.recovered", {});
      for (const listener of listeners) listener();
    });
  }
  await Promise.all([pub.connect(), sub.connect()]);
  const adapter = createAdapter(
    withHandledCommands(pub, PUB_COMMANDS, log),
    withHandledCommands(sub, SUB_COMMANDS, log),
    {
      key: options.key ?? "foyer",
      requestsTimeout: options.requestsTimeoutInMs ?? BUS_REQUESTS_TIMEOUT_IN_MS,
    },
  );
  return {
    adapter,
    onRecovered: (listener) => void listeners.add(listener),
    onLost: (listener) => void lostListeners.add(listener),
    get up() {
      return !lost;
    },
    async close() {
      await Promise.allSettled([endClient(pub), endClient(sub)]);
    },
  };
}

/** How long a graceful close may wait for replies before the connection is dropped. */
const CLOSE_TIMEOUT_IN_MS = 1_000;

/**
 * Ends a client: gracefully while it is connected (pending replies arrive), at once while
 * it is not (a graceful close would wait for a Redis that may never come back).
 */
async function endClient(client: ReturnType<typeof createClient>): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) {
    await waitAtMost(client.close(), CLOSE_TIMEOUT_IN_MS);
  }
  if (client.isOpen) client.destroy();
}

/** The commands whose promises the adapter drops, per client. */
const PUB_COMMANDS = new Set(["publish"]);
const SUB_COMMANDS = new Set(["subscribe", "pSubscribe", "unsubscribe", "pUnsubscribe"]);

/**
 * The adapter calls `publish` (and, on the subscriber, `subscribe`/`unsubscribe` and their
 * pattern forms) and drops the promise (socketio/socket.io-redis-adapter#513, the same in
 * socket.io-redis-emitter#139), so a command that fails while Redis is down becomes an
 * unhandled rejection, which ends a Node process. The bus is allowed to lose messages
 * (clients re-sync from the store on recovery) and the client re-subscribes by itself on
 * reconnect, so such a failure is logged and dropped. Methods are bound to the real client:
 * it keeps state in private fields.
 */
export function withHandledCommands<T extends object>(
  client: T,
  commands: ReadonlySet<string>,
  log: LogFn,
): T {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      // `constructor` stays as is: the adapter tells client kinds apart by its name.
      if (typeof value !== "function" || property === "constructor") return value;
      if (typeof property !== "string" || !commands.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        const sent: Promise<unknown> = value.apply(target, args);
        return sent.catch((error: Error) => {
          log("bus.command_failed", { command: property, error: error.message });
          return 0;
        });
      };
    },
  });
}
