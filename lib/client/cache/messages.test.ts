import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import { getMaxSeq, mergeMessages } from "./messages";

function msg(seq: number, id = `m${seq}`, body = `body ${seq}`): ChatMessage {
  return {
    id,
    channel: "direct-u1-a1",
    seq,
    clientMessageId: null,
    authorId: "u1",
    authorKind: "user",
    body,
    createdAt: "2025-01-01T00:00:00.000Z",
    status: null,
    note: null,
    replyTo: null,
  };
}

const seqs = (list: ChatMessage[]) => list.map((m) => m.seq);

describe("mergeMessages", () => {
  it("merges a gap into the middle in server order", () => {
    expect(seqs(mergeMessages([msg(1), msg(2), msg(5)], [msg(4), msg(3)]))).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it("shows a message delivered twice (push and ack, or join and push) exactly once", () => {
    const merged = mergeMessages([msg(1), msg(2)], [msg(2), msg(3), msg(3)]);
    expect(merged.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
  });

  it("never drops stored messages missing from the incoming list", () => {
    expect(seqs(mergeMessages([msg(1), msg(2), msg(3)], [msg(7)]))).toEqual([1, 2, 3, 7]);
  });

  it("returns the same array when nothing changed", () => {
    const list = [msg(1), msg(2)];
    expect(mergeMessages(list, [])).toBe(list);
    expect(mergeMessages(list, [msg(2)])).toBe(list);
  });

  it("lets the incoming copy of a message win", () => {
    const merged = mergeMessages([msg(1, "m1", "old")], [msg(1, "m1", "new")]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.body).toBe("new");
  });

  it("does not mutate its inputs", () => {
    const list = [msg(2)];
    const incoming = [msg(1)];
    mergeMessages(list, incoming);
    expect(seqs(list)).toEqual([2]);
    expect(seqs(incoming)).toEqual([1]);
  });
});

describe("getMaxSeq", () => {
  it("returns the highest seq, or the floor", () => {
    expect(getMaxSeq([msg(3), msg(9), msg(4)])).toBe(9);
    expect(getMaxSeq([], 5)).toBe(5);
    expect(getMaxSeq([msg(2)], 5)).toBe(5);
  });
});
