import { describe, expect, it } from "vitest";
import type { ChatMessage, MessageDelta } from "../../shared/realtime/events";
import {
  applyCreated,
  applyDelta,
  applySnapshot,
  applySync,
  type ChannelCache,
  EMPTY_CHANNEL,
  fitsDelta,
} from "./channel-cache";

const CHANNEL = "direct-u1-a1";
const DELTA: MessageDelta = {
  channel: CHANNEL,
  messageId: "m9",
  authorId: "a1",
  replyTo: "q1",
  offset: 0,
  text: "",
};

function msg(seq: number, id = `m${seq}`): ChatMessage {
  return {
    id,
    channel: CHANNEL,
    seq,
    clientMessageId: null,
    authorId: "a1",
    authorKind: "agent",
    body: `body ${seq}`,
    createdAt: "2025-01-01T00:00:00.000Z",
    status: null,
    note: null,
    replyTo: null,
  };
}

describe("channel cache transitions", () => {
  it("a push does not move syncedSeq, so the gap before it is still fetched", () => {
    const synced = applySync(undefined, {
      channel: CHANNEL,
      messages: [msg(1), msg(2)],
      syncedSeq: 2,
    });
    // seq 3 was missed while offline; seq 4 arrives as a push after the reconnect.
    const pushed = applyCreated(synced, msg(4));
    expect(pushed.syncedSeq).toBe(2);
    const healed = applySync(pushed, {
      channel: CHANNEL,
      messages: [msg(3), msg(4)],
      syncedSeq: 4,
    });
    expect(healed.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(healed.syncedSeq).toBe(4);
  });

  it("a sync merges with pushes that arrived while it was in flight", () => {
    const pushed = applyCreated(undefined, msg(5));
    const synced = applySync(pushed, {
      channel: CHANNEL,
      messages: [msg(1), msg(2)],
      syncedSeq: 2,
    });
    expect(synced.messages.map((m) => m.seq)).toEqual([1, 2, 5]);
    expect(synced.channel).toBe(CHANNEL);
  });

  it("syncedSeq never goes backwards", () => {
    const cache: ChannelCache = { ...EMPTY_CHANNEL, syncedSeq: 9 };
    expect(applySync(cache, { channel: CHANNEL, messages: [], syncedSeq: 3 }).syncedSeq).toBe(9);
  });

  it("a delta opens a streaming draft that the created message with the same id ends", () => {
    const delta = { ...DELTA, messageId: "m3", text: "Hel" };
    let cache = applyDelta(EMPTY_CHANNEL, delta);
    cache = applyDelta(cache, { ...delta, offset: 3, text: "lo" });
    expect(cache.streaming).toEqual([
      { messageId: "m3", authorId: "a1", replyTo: "q1", text: "Hello" },
    ]);
    cache = applyCreated(cache, msg(3, "m3"));
    expect(cache.streaming).toEqual([]);
    expect(cache.messages.map((m) => m.id)).toEqual(["m3"]);
  });

  it("ignores a delta for a message already stored", () => {
    const cache = applyCreated(undefined, msg(3, "m3"));
    expect(applyDelta(cache, { ...DELTA, messageId: "m3", text: "late" })).toBe(cache);
  });

  it("a sync that contains a streamed message ends its draft", () => {
    const cache = applyDelta(undefined, { ...DELTA, messageId: "m7", text: "x" });
    expect(
      applySync(cache, { channel: CHANNEL, messages: [msg(7, "m7")], syncedSeq: 7 }).streaming,
    ).toEqual([]);
  });

  it("a duplicate created message returns the same cache object", () => {
    const cache = applyCreated(undefined, msg(1));
    expect(applyCreated(cache, msg(1))).toBe(cache);
  });
});

describe("append-only deltas", () => {
  const draftText = (cache: ChannelCache) => cache.streaming.map((d) => d.text);

  it("appends only what lies beyond the text held (overlap and repeats add nothing twice)", () => {
    let cache = applyDelta(EMPTY_CHANNEL, { ...DELTA, offset: 0, text: "Hello" });
    cache = applyDelta(cache, { ...DELTA, offset: 3, text: "lo, wor" });
    cache = applyDelta(cache, { ...DELTA, offset: 0, text: "Hello" });
    cache = applyDelta(cache, { ...DELTA, offset: 10, text: "ld" });
    expect(draftText(cache)).toEqual(["Hello, world"]);
  });

  it("a delta beyond the text held is a gap: it changes nothing and does not fit", () => {
    const cache = applyDelta(EMPTY_CHANNEL, { ...DELTA, offset: 0, text: "Hi" });
    const gap = { ...DELTA, offset: 5, text: "there" };
    expect(fitsDelta(cache, gap)).toBe(false);
    expect(applyDelta(cache, gap)).toBe(cache);
    expect(fitsDelta(cache, { ...DELTA, offset: 2, text: "!" })).toBe(true);
    expect(fitsDelta(EMPTY_CHANNEL, { ...DELTA, offset: 1, text: "x" })).toBe(false);
  });

  it("a later push carries only id, offset and text; without a draft it is a gap", () => {
    const later = { messageId: "m9", offset: 2, text: " there" };
    let cache = applyDelta(EMPTY_CHANNEL, { ...DELTA, offset: 0, text: "Hi" });
    cache = applyDelta(cache, later);
    expect(cache.streaming).toEqual([
      { messageId: "m9", authorId: "a1", replyTo: "q1", text: "Hi there" },
    ]);
    expect(fitsDelta(EMPTY_CHANNEL, { messageId: "m9", offset: 0, text: "Hi" })).toBe(false);
    expect(applyDelta(EMPTY_CHANNEL, { messageId: "m9", offset: 0, text: "Hi" })).toBe(
      EMPTY_CHANNEL,
    );
  });

  it("a snapshot fills a gap; pushes then continue from it; an older snapshot loses", () => {
    let cache = applyDelta(EMPTY_CHANNEL, { ...DELTA, offset: 0, text: "Hi" });
    const snapshot = { channel: CHANNEL, messageId: "m9", authorId: "a1", replyTo: "q1" };
    cache = applySnapshot(cache, { ...snapshot, text: "Hi there, fr" });
    cache = applyDelta(cache, { ...DELTA, offset: 10, text: "friend" });
    expect(draftText(cache)).toEqual(["Hi there, friend"]);
    expect(applySnapshot(cache, { ...snapshot, text: "Hi th" })).toBe(cache);
  });

  it("a join's generations replace the drafts, each as far as the join or a push got", () => {
    let cache = applyDelta(EMPTY_CHANNEL, { ...DELTA, messageId: "gone", text: "ended" });
    cache = applyDelta(cache, { ...DELTA, messageId: "m9", text: "Hello, wo" });
    const synced = applySync(cache, {
      channel: CHANNEL,
      messages: [],
      syncedSeq: 0,
      generations: [
        { channel: CHANNEL, messageId: "m9", authorId: "a1", replyTo: "q1", text: "Hello" },
        { channel: CHANNEL, messageId: "new", authorId: "a1", replyTo: "q2", text: "So" },
      ],
      allowance: { agentId: "a1", kind: "guest", limit: 5, left: 2, memberLimit: 50 },
    });
    expect(synced.streaming.map((d) => [d.messageId, d.text])).toEqual([
      ["m9", "Hello, wo"],
      ["new", "So"],
    ]);
    expect(synced.allowance?.left).toBe(2);
  });
});
