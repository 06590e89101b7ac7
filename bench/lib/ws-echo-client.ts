import WebSocket from "ws";

/** A raw `ws` client with one message in flight: send, wait for the echo. */
export interface EchoClient {
  roundTrip(text: string): Promise<void>;
  close(): void;
}

export async function connectEcho(url: string): Promise<EchoClient> {
  const ws = new WebSocket(url.replace(/^http/, "ws"), { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let waiting: (() => void) | null = null;
  ws.on("message", () => {
    const done = waiting;
    waiting = null;
    done?.();
  });
  return {
    roundTrip(text) {
      return new Promise<void>((resolve) => {
        waiting = resolve;
        ws.send(text);
      });
    },
    close: () => ws.terminate(),
  };
}
