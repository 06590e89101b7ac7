/**
 * Merging chat messages (docs/design.md, client invariant 6): every source of messages (join,
 * history, pushes, send acks) is merged into the cached list by message id and kept in
 * server order (`seq`). A list is never replaced, so a gap fetched after a reconnect, a
 * push that raced a join, or a duplicate delivery each show a message exactly once.
 */
import type { ChatMessage } from "../../shared/realtime/events";

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function isSameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return (
    a.seq === b.seq && a.body === b.body && a.channel === b.channel && a.createdAt === b.createdAt
  );
}

/**
 * Returns `list` with `incoming` merged in by id (an incoming copy wins over a stored one),
 * sorted by seq. Returns the same array when nothing changed, so React can skip a render.
 */
export function mergeMessages(
  list: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  if (incoming.length === 0) return list as ChatMessage[];
  const byId = new Map(list.map((message) => [message.id, message]));
  let changed = false;
  for (const message of incoming) {
    const stored = byId.get(message.id);
    if (stored && isSameMessage(stored, message)) continue;
    byId.set(message.id, message);
    changed = true;
  }
  if (!changed) return list as ChatMessage[];
  return [...byId.values()].sort(bySeq);
}

/** Highest seq in `messages`, or `floor` when there is none higher. */
export function getMaxSeq(messages: readonly ChatMessage[], floor = 0): number {
  let max = floor;
  for (const message of messages) if (message.seq > max) max = message.seq;
  return max;
}
