import WebSocket from "ws";

/**
 * A minimal Socket.IO v4 client (Engine.IO 4 over WebSocket only, default namespace, JSON
 * packets) for the load generator. The same few lines drive every arm, so the client's own
 * cost is small and equal on both sides of a ratio; socket.io-client's reconnection, buffers
 * and timers would otherwise weigh on the measuring process more than on the server.
 */
export interface LeanSocketOptions {
  /** Sent as the CONNECT packet's `auth` (e.g. `{ token }`); omitted when undefined. */
  auth?: Record<string, unknown>;
  path?: string;
}

/**
 * An event's listener: its payload, and the payload bytes of the WebSocket frame that
 * carried it (Engine.IO and Socket.IO framing included; 0 for local events such as
 * `disconnect`).
 */
type Listener = (payload: unknown, frameBytes: number) => void;

export class LeanSocket {
  private nextAckId = 0;
  private readonly acks = new Map<number, { resolve: Listener; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Listener[]>();
  closed = false;

  private constructor(private readonly ws: WebSocket) {}

  /** Opens the transport and the namespace; rejects on a refused CONNECT or a socket error. */
  static connect(baseUrl: string, options: LeanSocketOptions = {}): Promise<LeanSocket> {
    const url = new URL(options.path ?? "/socket.io/", baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = "?EIO=4&transport=websocket";
    const ws = new WebSocket(url, { headers: { origin: new URL(baseUrl).origin } });
    const socket = new LeanSocket(ws);
    return new Promise((resolve, reject) => {
      ws.on("error", (error) => reject(error));
      ws.on("close", () => {
        socket.closed = true;
        for (const pending of socket.acks.values())
          pending.reject(new Error("lean-socket: closed"));
        socket.acks.clear();
        socket.emitLocal("disconnect", "transport close");
        reject(new Error("lean-socket: closed before CONNECT"));
      });
      ws.on("message", (data) => {
        const text = data.toString();
        const bytes = Buffer.isBuffer(data) ? data.length : Buffer.byteLength(text);
        if (text.startsWith("0")) {
          ws.send(options.auth ? `40${JSON.stringify(options.auth)}` : "40");
        } else if (text.startsWith("40")) {
          resolve(socket);
        } else if (text.startsWith("44")) {
          reject(new Error(`lean-socket: refused ${text.slice(2)}`));
        } else {
          socket.receive(text, bytes);
        }
      });
    });
  }

  private receive(text: string, bytes: number): void {
    if (text === "2") return void this.ws.send("3");
    if (text.startsWith("43")) {
      const open = text.indexOf("[");
      const id = Number(text.slice(2, open));
      const pending = this.acks.get(id);
      this.acks.delete(id);
      pending?.resolve((JSON.parse(text.slice(open)) as unknown[])[0], bytes);
    } else if (text.startsWith("42")) {
      const [event, payload] = JSON.parse(text.slice(text.indexOf("["))) as [string, unknown];
      for (const listener of this.listeners.get(event) ?? []) listener(payload, bytes);
    } else if (text.startsWith("41")) {
      this.closed = true;
      this.emitLocal("disconnect", "io server disconnect");
    }
  }

  private emitLocal(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload, 0);
  }

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  /** Resolves with the next `event` (or rejects when the socket closes first). */
  next(event: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error("lean-socket: closed"));
      const done = (payload: unknown) => {
        this.off(event, done);
        this.off("disconnect", gone);
        resolve(payload);
      };
      const gone = () => {
        this.off(event, done);
        this.off("disconnect", gone);
        reject(new Error("lean-socket: closed"));
      };
      this.on(event, done);
      if (event !== "disconnect") this.on("disconnect", gone);
    });
  }

  off(event: string, listener: Listener): void {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
  }

  /** Emits `event` with an ack id; resolves with the ack's first argument. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error("lean-socket: closed"));
      this.acks.set(id, { resolve, reject });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Emits without an ack. */
  emit(event: string, payload: unknown): void {
    this.ws.send(`42${JSON.stringify([event, payload])}`);
  }

  close(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
