/**
 * The browser's typed Socket.IO client. Same origin, path `/socket.io`, WebSocket first
 * (docs/design.md §9), and the handshake token is asked for on every connection
 * attempt, so a reconnect after a long sleep presents a fresh token rather than an expired one.
 */
import { io, Manager, type ManagerOptions, type Socket } from "socket.io-client";
import type {
  Ack,
  AckError,
  ClientToServerEvents,
  RealtimeErrorCode,
  ServerToClientEvents,
} from "../../shared/realtime/events";
import { readTokenClaims } from "../identity/token-claims";
import { countClientEvent } from "./diagnostics";

export type FoyerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const SOCKET_PATH = "/socket.io";
/** Default wait for an acknowledgement before the call fails with `timeout:ack`. */
export const ACK_TIMEOUT_IN_MS = 10_000;

export interface FoyerSocketOptions {
  /**
   * Called before every connection attempt; resolves to the socket token to present, or
   * null when there is none to present (the handshake then carries none and is refused).
   */
  getToken: () => Promise<string | null>;
}

const MANAGER_OPTIONS: Partial<ManagerOptions> = {
  path: SOCKET_PATH,
  // Polling is the fallback for networks that block WebSockets; behind a load balancer
  // without sticky sessions it must be off (README, "Run several nodes").
  transports:
    process.env.NEXT_PUBLIC_FOYER_SOCKET_TRANSPORTS === "websocket"
      ? ["websocket"]
      : ["websocket", "polling"],
  reconnectionDelay: 500,
  reconnectionDelayMax: 5_000,
};

/** A transport opened ahead that no socket took within this long is closed. */
export const PREOPEN_UNUSED_CLOSE_IN_MS = 30_000;

let preopened: Manager | null = null;

/**
 * Opens the page's Engine.IO transport (the WebSocket) before the visitor's identity is
 * known, so the first socket only has to send its CONNECT (docs/benchmarks.md, B8). The
 * transport carries no identity: the token travels in the CONNECT packet, which waits for
 * the socket and its listeners. The first {@link createFoyerSocket} takes it; unused, it
 * closes after {@link PREOPEN_UNUSED_CLOSE_IN_MS}.
 */
export function preopenSocketTransport(): void {
  if (typeof window === "undefined" || preopened) return;
  const manager = new Manager({ ...MANAGER_OPTIONS, autoConnect: false });
  manager.open();
  preopened = manager;
  setTimeout(() => {
    if (preopened !== manager) return;
    preopened = null;
    manager._close();
  }, PREOPEN_UNUSED_CLOSE_IN_MS);
}

/** Creates the socket without connecting it; the caller attaches listeners, then connects. */
export function createFoyerSocket({ getToken }: FoyerSocketOptions): FoyerSocket {
  const auth: (cb: (data: object) => void) => void = (cb) => {
    void getToken().then(
      (token) => cb(token === null ? {} : { token }),
      () => cb({}),
    );
  };
  const manager = preopened;
  preopened = null;
  if (manager) return manager.socket("/", { auth });
  return io({ ...MANAGER_OPTIONS, autoConnect: false, auth });
}

/** How long a message typed while the connection is down waits for it to come back. */
export const SEND_QUEUE_TIMEOUT_IN_MS = 60_000;

/**
 * Resolves once `socket` is connected; rejects with `timeout:ack` after `timeoutInMs`, or as
 * soon as the socket is given up for good (`active` false: closed by the server, or torn
 * down because the identity changed). So a send queued while offline goes out on the same
 * socket (same identity) when it reconnects, and never on another.
 */
export function whenConnected(
  socket: Pick<FoyerSocket, "connected" | "active" | "once" | "off">,
  timeoutInMs = SEND_QUEUE_TIMEOUT_IN_MS,
): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: RealtimeAckError) => {
      clearTimeout(timer);
      clearInterval(watch);
      socket.off("connect", onConnect);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = () => done();
    const timer = setTimeout(
      () => done(new RealtimeAckError("timeout:ack", "socket: still offline")),
      timeoutInMs,
    );
    const watch = setInterval(() => {
      if (!socket.active && !socket.connected) {
        done(new RealtimeAckError("timeout:ack", "socket: closed for good"));
      }
    }, 250);
    socket.once("connect", onConnect);
  });
}

/** The user a socket token names (its unverified `sub`), or null for an unreadable token. */
export function toTokenSubject(token: string): string | null {
  return readTokenClaims(token).sub;
}

type EventName = keyof ClientToServerEvents;
type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
type AckDataOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[1] extends (
  ack: Ack<infer T>,
) => void
  ? T
  : never;

/** The part of a socket {@link emitWithAck} needs (lets tests pass a stub). */
export interface AckEmitter {
  timeout(ms: number): {
    emit(event: string, payload: unknown, cb: (err: Error | null, ack: unknown) => void): unknown;
  };
}

export type AckFailureCode = RealtimeErrorCode | "timeout:ack" | "bad_response:ack";

/** Thrown by {@link requireOk} and {@link emitOrThrow}; `code` says what to show or whether to retry. */
export class RealtimeAckError extends Error {
  override name = "RealtimeAckError";
  constructor(
    readonly code: AckFailureCode,
    message: string,
    /** With `rate_limited:socket`: how long the server asked to wait before sending again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Longest wait a client honours from a `retryAfterMs` (a bad value cannot stall it). */
export const RETRY_AFTER_MAX_IN_MS = 30_000;

/**
 * How long to wait before retrying `error`: the server's `retryAfterMs` for a rate limit
 * (bounded, plus a little jitter so that several tabs do not retry in step), else `fallback`.
 */
export function toRetryDelay(error: unknown, fallback: number, random = Math.random): number {
  if (!(error instanceof RealtimeAckError) || error.code !== "rate_limited:socket") return fallback;
  const asked = error.retryAfterMs;
  if (typeof asked !== "number" || !Number.isFinite(asked) || asked < 0) return fallback;
  return Math.min(asked, RETRY_AFTER_MAX_IN_MS) + Math.floor(random() * 100);
}

function isAck(value: unknown): value is Ack<unknown> {
  if (typeof value !== "object" || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return status === "OK" || status === "ERROR";
}

/**
 * Emits a client event and resolves to its ack. A missing ack becomes an `ERROR` ack with
 * code `timeout:ack`, a malformed one `bad_response:ack`; the promise never rejects.
 */
export function emitWithAck<E extends EventName>(
  socket: FoyerSocket | AckEmitter,
  event: E,
  payload: PayloadOf<E>,
  timeoutInMs = ACK_TIMEOUT_IN_MS,
): Promise<Ack<AckDataOf<E>> | AckErrorWithClientCode> {
  return new Promise((resolve) => {
    (socket as AckEmitter).timeout(timeoutInMs).emit(event, payload, (err, ack) => {
      if (err) {
        resolve({
          status: "ERROR",
          code: "timeout:ack",
          message: `socket: no ack for ${event} in ${timeoutInMs} ms`,
        });
      } else if (!isAck(ack)) {
        resolve({
          status: "ERROR",
          code: "bad_response:ack",
          message: `socket: malformed ack for ${event}`,
        });
      } else {
        if (ack.status === "ERROR" && ack.code === "forbidden:channel") {
          countClientEvent("channelDenials");
          console.warn(`socket: ${event} was denied: ${ack.message}`);
        }
        resolve(ack as Ack<AckDataOf<E>>);
      }
    });
  });
}

export type AckErrorWithClientCode = Omit<AckError, "code"> & { code: AckFailureCode };

/** The ack's data, or a {@link RealtimeAckError} carrying the ack's code. */
export function requireOk<T>(ack: Ack<T> | AckErrorWithClientCode): T {
  if (ack.status === "OK") return ack.data;
  throw new RealtimeAckError(
    ack.code,
    ack.message,
    "retryAfterMs" in ack && typeof ack.retryAfterMs === "number" ? ack.retryAfterMs : undefined,
  );
}

/** {@link emitWithAck} then {@link requireOk}: resolves to the data or throws. */
export async function emitOrThrow<E extends EventName>(
  socket: FoyerSocket | AckEmitter,
  event: E,
  payload: PayloadOf<E>,
  timeoutInMs = ACK_TIMEOUT_IN_MS,
): Promise<AckDataOf<E>> {
  return requireOk(await emitWithAck(socket, event, payload, timeoutInMs));
}

/** Whether a failed call may be retried as is (timeouts and rate limits, not refusals). */
export function isRetryableAckError(error: unknown): boolean {
  return (
    error instanceof RealtimeAckError &&
    (error.code === "timeout:ack" ||
      error.code === "rate_limited:socket" ||
      // The node is shutting down: the socket reconnects to another; the same id is stored once.
      error.code === "unavailable:node" ||
      error.code === "internal:server" ||
      // The socket refreshes its token as soon as it learns of a rotation; then retry.
      error.code === "stale:token" ||
      // Earlier answers are still being written: once one ends, the send goes through.
      error.code === "quota_exceeded:concurrent_generations")
  );
}
