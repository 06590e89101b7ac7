import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import type { GatewayLog } from "./context";

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
  close(): Promise<void>;
}

/** How long a server-side emit waits for every other node's acknowledgement. */
export const BUS_REQUESTS_TIMEOUT_IN_MS = 2_000;

export async function createRedisBus(
  url: string,
  options: { log?: GatewayLog; requestsTimeoutInMs?: number; key?: string } = {},
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
  const adapter = createAdapter(withHandledPublishes(pub, log), sub, {
    key: options.key ?? "foyer",
    requestsTimeout: options.requestsTimeoutInMs ?? BUS_REQUESTS_TIMEOUT_IN_MS,
  });
  return {
    adapter,
    onRecovered: (listener) => void listeners.add(listener),
    onLost: (listener) => void lostListeners.add(listener),
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/**
 * The adapter calls `publish` and drops the promise (socketio/socket.io-redis-adapter#513,
 * the same in socket.io-redis-emitter#139), so a publish that fails while Redis is down
 * becomes an unhandled rejection, which ends a Node process. The bus is allowed to lose
 * messages (clients re-sync from the store on recovery), so a failed publish is logged and
 * dropped. Methods are bound to the real client: it keeps state in private fields.
 */
export function withHandledPublishes<T extends object>(client: T, log: GatewayLog): T {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      // `constructor` stays as is: the adapter tells client kinds apart by its name.
      if (typeof value !== "function" || property === "constructor") return value;
      if (property !== "publish") return value.bind(target);
      return (...args: unknown[]) => {
        const sent: Promise<unknown> = value.apply(target, args);
        return sent.catch((error: Error) => {
          log("bus.publish_failed", { error: error.message });
          return 0;
        });
      };
    },
  });
}
