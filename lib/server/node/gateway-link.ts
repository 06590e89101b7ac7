import { randomUUID } from "node:crypto";
import { Server } from "socket.io";
import type { InterServerEvents } from "../../shared/realtime/events";
import type { LogFn } from "../common/log";
import {
  type ChangeAnnouncement,
  collectConfirmation,
  type SessionChange,
} from "../common/session-change";
import { createRedisBus, type RedisBus } from "../realtime/redis-bus";

/**
 * How a stand-alone authority (`npm run start:authority`) tells the gateway nodes about a
 * rotate or revoke: it joins their Redis bus as a Socket.IO server without HTTP, emits the
 * change to every node and waits for each to acknowledge. Without a bus it cannot reach any
 * gateway, so every change is honestly `pending` (and a warning is logged at start).
 */
export interface GatewayLink {
  announce(change: SessionChange): Promise<ChangeAnnouncement>;
  close(): Promise<void>;
}

export interface GatewayLinkOptions {
  timeoutInMs?: number;
  /** The gateway nodes that must acknowledge (store/gateway-nodes.ts `liveNodeIds`). */
  expectedNodes?: () => Promise<string[]>;
}

export async function createGatewayLink(
  redisUrl: string | undefined,
  log: LogFn,
  { timeoutInMs = 2_000, expectedNodes = async () => [] }: GatewayLinkOptions = {},
): Promise<GatewayLink> {
  if (!redisUrl) {
    log("authority.no_gateway_link", {
      hint: "set REDIS_URL to the gateways' Redis so revocations reach them before the answer",
    });
    return { announce: async () => ({ confirmed: false }), close: async () => {} };
  }
  const bus: RedisBus = await createRedisBus(redisUrl, { log, requestsTimeoutInMs: timeoutInMs });
  const io = new Server<Record<string, never>, Record<string, never>, InterServerEvents>({
    adapter: bus.adapter,
  });
  // Gateways wait for every server on the bus, this one included: acknowledge, apply nothing.
  const linkId = `link-${randomUUID()}`;
  io.on("session:generation", (_change, ack) => {
    if (typeof ack === "function") ack(linkId);
  });
  return {
    async announce(change) {
      try {
        const { confirmed } = await collectConfirmation(
          () =>
            io.serverSideEmitWithAck("session:generation", {
              sessionId: change.sessionId,
              generation: change.generation,
              revoked: change.revoked,
              reason: change.reason,
            }),
          expectedNodes,
          timeoutInMs,
        );
        return { confirmed };
      } catch {
        return { confirmed: false };
      }
    },
    async close() {
      // No HTTP server is attached, so `io.close()` has nothing to close: end the adapter.
      await io.of("/").adapter.close();
      await bus.close();
    },
  };
}
