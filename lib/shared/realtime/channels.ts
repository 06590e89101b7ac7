import { isId } from "../ids";

/** The one error text for any join or send to a channel the user is not a participant of. */
export const CHANNEL_ACCESS_DENIED = "Channel access denied. User is not a participant";

export interface DirectChannel {
  kind: "direct";
  userId: string;
  agentId: string;
}

/** `direct-${userId}-${agentId}`. Throws on ids that would make the name ambiguous. */
export function toDirectChannel(userId: string, agentId: string): string {
  if (!isId(userId) || !isId(agentId)) {
    throw new Error(
      `channels: invalid id for a direct channel (user ${isId(userId)}, agent ${isId(agentId)})`,
    );
  }
  return `direct-${userId}-${agentId}`;
}

/** Parses a channel name; null for anything that is not exactly a well-formed direct channel. */
export function parseChannel(name: unknown): DirectChannel | null {
  if (typeof name !== "string" || name.length > 200) return null;
  const parts = name.split("-");
  if (parts.length !== 3 || parts[0] !== "direct") return null;
  const [, userId, agentId] = parts;
  if (!isId(userId) || !isId(agentId)) return null;
  return { kind: "direct", userId, agentId };
}

/** True only when `userId` is a participant of the channel `name` (its user or its agent). */
export function isParticipant(name: unknown, userId: string): boolean {
  const channel = parseChannel(name);
  return channel !== null && (channel.userId === userId || channel.agentId === userId);
}
