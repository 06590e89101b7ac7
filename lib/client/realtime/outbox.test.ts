import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import { createClientMessageId, type OutboxEntry, toPendingMessages } from "./outbox";

const out = (id: string, body = "hi") => ({ channel: "direct-u1-a1", clientMessageId: id, body });

function stored(clientMessageId: string): ChatMessage {
  return {
    id: `m_${clientMessageId}`,
    channel: "direct-u1-a1",
    seq: 1,
    clientMessageId,
    authorId: "u1",
    authorKind: "user",
    body: "hi",
    createdAt: "2025-01-01T00:00:00.000Z",
    status: null,
    note: null,
    replyTo: null,
  };
}

describe("toPendingMessages", () => {
  it("shows unacknowledged and failed sends in the order they were sent", () => {
    const entries: OutboxEntry[] = [
      { variables: out("b"), status: "error", submittedAt: 2 },
      { variables: out("a"), status: "pending", submittedAt: 1 },
    ];
    expect(toPendingMessages(entries, []).map((p) => [p.clientMessageId, p.status])).toEqual([
      ["a", "pending"],
      ["b", "failed"],
    ]);
  });

  it("drops a bubble once the stored message is cached, even before the ack", () => {
    const entries: OutboxEntry[] = [{ variables: out("a"), status: "pending", submittedAt: 1 }];
    expect(toPendingMessages(entries, [stored("a")])).toEqual([]);
  });

  it("drops acknowledged sends", () => {
    expect(
      toPendingMessages([{ variables: out("a"), status: "success", submittedAt: 1 }], []),
    ).toEqual([]);
  });

  it("keeps only the latest attempt of a retried message", () => {
    const entries: OutboxEntry[] = [
      { variables: out("a"), status: "error", submittedAt: 1 },
      { variables: out("a"), status: "pending", submittedAt: 5 },
    ];
    expect(toPendingMessages(entries, [])).toEqual([
      { ...out("a"), status: "pending", submittedAt: 5, slowedDown: false },
    ]);
  });

  it("says a send is slowed down only while it is still pending after a rate limit", () => {
    const slowed = (status: OutboxEntry["status"]) =>
      toPendingMessages([{ variables: out("a"), status, submittedAt: 1, slowedDown: true }], [])[0]
        ?.slowedDown;
    expect(slowed("pending")).toBe(true);
    expect(slowed("error")).toBe(false);
  });
});

describe("createClientMessageId", () => {
  it("makes unique ids the server accepts", () => {
    const a = createClientMessageId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(createClientMessageId()).not.toBe(a);
  });
});
