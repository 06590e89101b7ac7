import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import {
  applyCreated,
  applyDelta,
  applySync,
  type ChannelCache,
  EMPTY_CHANNEL,
} from "./channel-cache";

const CHANNEL = "direct-u1-a1";

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
    const delta = { channel: CHANNEL, messageId: "m3", authorId: "a1", text: "Hel" };
    let cache = applyDelta(EMPTY_CHANNEL, delta);
    cache = applyDelta(cache, { ...delta, text: "Hello" });
    expect(cache.streaming).toEqual([{ messageId: "m3", authorId: "a1", text: "Hello" }]);
    cache = applyCreated(cache, msg(3, "m3"));
    expect(cache.streaming).toEqual([]);
    expect(cache.messages.map((m) => m.id)).toEqual(["m3"]);
  });

  it("ignores a delta for a message already stored", () => {
    const cache = applyCreated(undefined, msg(3, "m3"));
    expect(
      applyDelta(cache, { channel: CHANNEL, messageId: "m3", authorId: "a1", text: "late" }),
    ).toBe(cache);
  });

  it("a sync that contains a streamed message ends its draft", () => {
    const cache = applyDelta(undefined, {
      channel: CHANNEL,
      messageId: "m7",
      authorId: "a1",
      text: "x",
    });
    expect(
      applySync(cache, { channel: CHANNEL, messages: [msg(7, "m7")], syncedSeq: 7 }).streaming,
    ).toEqual([]);
  });

  it("a duplicate created message returns the same cache object", () => {
    const cache = applyCreated(undefined, msg(1));
    expect(applyCreated(cache, msg(1))).toBe(cache);
  });
});
