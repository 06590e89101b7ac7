import { toSendPayload } from "./chat";
import type { LeanSocket } from "./lean-socket";

/** How long one delivery may take before it counts as an error. */
const DELIVERY_TIMEOUT_IN_MS = 5_000;

/**
 * Deliveries of a user's messages to one of the user's sockets (another tab, on this node
 * or another): `send` emits `message:send` from `sender` and resolves once `receiver` got
 * the `message:created` with that client message id.
 */
export interface Delivery {
  send(): Promise<void>;
}

export function createDelivery(sender: LeanSocket, receiver: LeanSocket, userId: string): Delivery {
  const waiting = new Map<string, () => void>();
  receiver.on("message:created", (message) => {
    const id = (message as { clientMessageId?: string | null }).clientMessageId;
    if (!id) return;
    waiting.get(id)?.();
    waiting.delete(id);
  });
  return {
    send() {
      const payload = toSendPayload(userId);
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(payload.clientMessageId);
          reject(new Error("delivery: timed out"));
        }, DELIVERY_TIMEOUT_IN_MS);
        waiting.set(payload.clientMessageId, () => {
          clearTimeout(timer);
          resolve();
        });
        sender.emitWithAck("message:send", payload).catch(() => undefined);
      });
    },
  };
}
