import type { Server } from "socket.io";
import type { DirectChannel } from "../../shared/realtime/channels";
import { toDirectChannel } from "../../shared/realtime/channels";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "../../shared/realtime/events";

/** The gateway's typed Socket.IO server. */
export type GatewayServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/** Every socket of one user (all tabs, all gateway nodes). Joined at connect. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** Every socket authenticated by one session; revocation disconnects this room. */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/** Sockets that joined a channel (`channel:join`); operators will join here too. */
export function channelRoom(channel: string): string {
  return `channel:${channel}`;
}

/**
 * Everyone who may see a direct channel's messages: its user's sockets (every tab, joined
 * or not; clients merge by message id) and the channel's room. One broadcast over both
 * rooms reaches each socket once.
 */
export function toChannelAudience(io: GatewayServer, channel: DirectChannel) {
  const name = toDirectChannel(channel.userId, channel.agentId);
  return io.to([userRoom(channel.userId), channelRoom(name)]);
}
