/**
 * The shape one direct channel has in the TanStack Query cache, and the pure transitions
 * that every source of data goes through. Pushes, join answers and send acks all merge
 * (see {@link mergeMessages}); none of them replaces the list.
 */
import type {
  Allowance,
  ChatMessage,
  GenerationSnapshot,
  MessageDelta,
} from "../../shared/realtime/events";
import { mergeMessages } from "./messages";

/** An agent message still being produced (`message:delta`), shown as a streaming bubble. */
export interface StreamingDraft {
  messageId: string;
  authorId: string;
  /** The user message it answers. */
  replyTo: string;
  /** The text so far: pushes continue at `text.length`. */
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
  /** What is left of the agent's daily allowance (null: none applies). */
  allowance: Allowance | null;
}

export interface ChannelSync {
  channel: string;
  messages: ChatMessage[];
  syncedSeq: number;
  /** The answers being written as the server answered the join. */
  generations?: GenerationSnapshot[];
  allowance?: Allowance | null;
}

export const EMPTY_CHANNEL: ChannelCache = {
  channel: null,
  messages: [],
  syncedSeq: 0,
  streaming: [],
  allowance: null,
};

function toDraft(snapshot: GenerationSnapshot): StreamingDraft {
  return {
    messageId: snapshot.messageId,
    authorId: snapshot.authorId,
    replyTo: snapshot.replyTo,
    text: snapshot.text,
  };
}

/** Of two texts of one answer (both prefixes of it), the one that got further. */
function further(draft: StreamingDraft | undefined, snapshot: GenerationSnapshot): StreamingDraft {
  return draft && draft.text.length >= snapshot.text.length ? draft : toDraft(snapshot);
}

function withoutFinished(streaming: StreamingDraft[], messages: ChatMessage[]): StreamingDraft[] {
  if (streaming.length === 0) return streaming;
  const ids = new Set(messages.map((m) => m.id));
  const left = streaming.filter((draft) => !ids.has(draft.messageId));
  return left.length === streaming.length ? streaming : left;
}

/**
 * Merges the answer of a join (plus any history pages) into the cache. The answers being
 * written are the join's (each as far as the join or a later push got); a draft the join
 * does not list ended while this tab was away, and its message came with the join.
 */
export function applySync(cache: ChannelCache | undefined, sync: ChannelSync): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  const messages = mergeMessages(base.messages, sync.messages);
  const streaming = sync.generations
    ? sync.generations.map((g) =>
        further(
          base.streaming.find((d) => d.messageId === g.messageId),
          g,
        ),
      )
    : base.streaming;
  return {
    channel: sync.channel,
    messages,
    syncedSeq: Math.max(base.syncedSeq, sync.syncedSeq),
    streaming: withoutFinished(streaming, messages),
    allowance: sync.allowance === undefined ? base.allowance : sync.allowance,
  };
}

/** Records what is left of the agent's allowance (from a send or regenerate ack). */
export function applyAllowance(
  cache: ChannelCache | undefined,
  allowance: Allowance | null,
): ChannelCache {
  return { ...(cache ?? EMPTY_CHANNEL), allowance };
}

/** Takes an answer's text so far (asked for after a missed push), unless a push got further. */
export function applySnapshot(
  cache: ChannelCache | undefined,
  snapshot: GenerationSnapshot,
): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  if (base.messages.some((m) => m.id === snapshot.messageId)) return base;
  const index = base.streaming.findIndex((d) => d.messageId === snapshot.messageId);
  const draft = further(base.streaming[index], snapshot);
  if (draft === base.streaming[index]) return base;
  const streaming =
    index === -1
      ? [...base.streaming, draft]
      : base.streaming.map((d, i) => (i === index ? draft : d));
  return { ...base, streaming };
}

/** Merges one created message (a push or a send ack); it ends the streaming draft with its id. */
export function applyCreated(cache: ChannelCache | undefined, message: ChatMessage): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  const messages = mergeMessages(base.messages, [message]);
  const streaming = withoutFinished(base.streaming, messages);
  if (messages === base.messages && streaming === base.streaming) return base;
  return { ...base, messages, streaming };
}

/**
 * Whether a push continues what the cache holds of its answer: false when it starts beyond
 * the text held (a push was missed: ask for a snapshot). Pushes of a stored message fit.
 */
export function fitsDelta(cache: ChannelCache | undefined, delta: MessageDelta): boolean {
  const base = cache ?? EMPTY_CHANNEL;
  if (base.messages.some((m) => m.id === delta.messageId)) return true;
  const draft = base.streaming.find((d) => d.messageId === delta.messageId);
  // A draft starts from the first push, which says whose answer it is; any other is a gap.
  if (!draft) return delta.offset === 0 && delta.authorId !== undefined;
  return delta.offset <= draft.text.length;
}

/**
 * Appends a push to its answer's draft: only what lies beyond the text held, so a push that
 * overlaps a snapshot or repeats adds nothing twice. A push beyond the text held (a gap) and
 * a push for a stored message change nothing.
 */
export function applyDelta(cache: ChannelCache | undefined, delta: MessageDelta): ChannelCache {
  const base = cache ?? EMPTY_CHANNEL;
  if (base.messages.some((m) => m.id === delta.messageId)) return base;
  const index = base.streaming.findIndex((d) => d.messageId === delta.messageId);
  const current = base.streaming[index];
  if (!fitsDelta(base, delta)) return base;
  const held = current?.text ?? "";
  const beyond = delta.text.slice(held.length - delta.offset);
  if (beyond === "" && current) return base;
  const draft: StreamingDraft = {
    messageId: delta.messageId,
    authorId: current?.authorId ?? delta.authorId ?? "",
    replyTo: current?.replyTo ?? delta.replyTo ?? "",
    text: held + beyond,
  };
  const streaming =
    index === -1
      ? [...base.streaming, draft]
      : base.streaming.map((d, i) => (i === index ? draft : d));
  return { ...base, streaming };
}
