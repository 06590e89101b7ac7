/**
 * The shape one direct channel has in the TanStack Query cache, and the pure transitions
 * that every source of data goes through. Pushes, join answers and send acks all merge
 * (see {@link mergeMessages}); none of them replaces the list.
 */
import type { ChatMessage, MessageDelta } from "../../shared/realtime/events";
import { mergeMessages } from "./messages";

/** An agent message still being produced (`message:delta`), shown as a streaming bubble. */
export interface StreamingDraft {
  messageId: string;
  authorId: string;
  text: string;
}

export interface ChannelCache {
  /** The channel name the server answered the join with; null until a join answered. */
  channel: string | null;
  messages: ChatMessage[];
  /**
   * The seq through which the server has answered "everything after": the next join asks
   * for `after = syncedSeq`. Pushes do not move it, so a push that arrives after a missed
   * message can never hide the gap in front of it.
   */
  syncedSeq: number;
  streaming: StreamingDraft[];
}

export interface ChannelSync {
  channel: string;
  messages: ChatMessage[];
  syncedSeq: number;
}

export const EMPTY_CHANNEL: ChannelCache = {
  channel: null,
  messages: [],
  syncedSeq: 0,
  streaming: [],
};

function withoutFinished(streaming: StreamingDraft[], messages: ChatMessage[]): StreamingDraft[] {
  if (streaming.length === 0) return streaming;
  const ids = new Set(messages.map((m) => m.id));
  const left = streaming.filter((draft) => !ids.has(draft.messageId));
  return left.length === streaming.length ? streaming : left;
}

/** Merges the answer of a join (plus any history pages) into the cache. */
export function applySync(cache: ChannelCache | undefined, sync: ChannelSync): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  const messages = mergeMessages(base.messages, sync.messages);
  return {
    channel: sync.channel,
    messages,
    syncedSeq: Math.max(base.syncedSeq, sync.syncedSeq),
    streaming: withoutFinished(base.streaming, messages),
  };
}

/** Merges one created message (a push or a send ack); it ends the streaming draft with its id. */
export function applyCreated(cache: ChannelCache | undefined, message: ChatMessage): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  const messages = mergeMessages(base.messages, [message]);
  const streaming = withoutFinished(base.streaming, messages);
  if (messages === base.messages && streaming === base.streaming) return base;
  return { ...base, messages, streaming };
}

/** Records the text so far of a streaming agent message; ignored once the message exists. */
export function applyDelta(cache: ChannelCache | undefined, delta: MessageDelta): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  if (base.messages.some((m) => m.id === delta.messageId)) return base;
  const draft: StreamingDraft = {
    messageId: delta.messageId,
    authorId: delta.authorId,
    text: delta.text,
  };
  const index = base.streaming.findIndex((d) => d.messageId === delta.messageId);
  const streaming =
    index === -1
      ? [...base.streaming, draft]
      : base.streaming.map((d, i) => (i === index ? draft : d));
  return { ...base, streaming };
}
