import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import type { AgentSummary, ChatMessage } from "@/lib/shared/realtime/events";
import { clickByTestId, getAllByTestId } from "./testing/host-elements";
import {
  Transcript,
  type TranscriptDraft,
  type TranscriptProps,
  toTranscriptLayout,
} from "./transcript";

let seq = 0;

function message(
  id: string,
  authorKind: "user" | "agent",
  replyTo: string | null = null,
): ChatMessage {
  seq += 1;
  return {
    id,
    channel: "direct-usr_1-concierge",
    seq,
    clientMessageId: authorKind === "user" ? `c-${id}` : null,
    authorId: authorKind === "user" ? "usr_1" : "concierge",
    authorKind,
    body: `body of ${id}`,
    createdAt: "2030-01-02T03:04:05.000Z",
    status: authorKind === "agent" ? "complete" : null,
    note: null,
    replyTo,
  };
}

const user = (id: string) => message(id, "user");
const agent = (id: string, replyTo: string | null) => message(id, "agent", replyTo);

function draft(messageId: string, replyTo?: string): TranscriptDraft {
  // A draft of a question never answered before stands alone.
  return {
    messageId,
    authorId: "concierge",
    text: `draft ${messageId}`,
    replyTo: replyTo ?? `q_${messageId}`,
  };
}

const concierge: AgentSummary = {
  id: "concierge",
  name: "Concierge",
  description: "Answers questions about Foyer.",
  streams: true,
  suggestions: ["What is Foyer?", "Tell me a story"],
};

function props(overrides: Partial<TranscriptProps> = {}): TranscriptProps {
  return {
    userId: "usr_1",
    agent: concierge,
    agentNames: new Map([["concierge", "Concierge"]]),
    status: "success",
    messages: [],
    streaming: [],
    pending: [],
    onResend: () => {},
    onRetry: () => {},
    ...overrides,
  };
}

const pendingOne: PendingMessage = {
  channel: "direct-usr_1-concierge",
  clientMessageId: "c-later",
  body: "later",
  status: "pending",
  submittedAt: 0,
  slowedDown: false,
};

describe("toTranscriptLayout", () => {
  it("groups the versions of an answer where the first one stands", () => {
    const [u1, a1, u2, a2, a2b] = [
      user("u1"),
      agent("a1", "u1"),
      user("u2"),
      agent("a2", "u2"),
      agent("a2b", "u2"),
    ];
    const layout = toTranscriptLayout([u1, a1, u2, a2, a2b] as ChatMessage[], []);
    expect(
      layout.items.map((item) => (item.kind === "message" ? item.message.id : item.key)),
    ).toEqual(["u1", "u1", "u2", "u2"]);
    expect(layout.items.map((item) => item.kind)).toEqual([
      "message",
      "answer",
      "message",
      "answer",
    ]);
    const last = layout.items[3];
    expect(last?.kind === "answer" ? last.versions.map((m) => m.id) : null).toEqual(["a2", "a2b"]);
    expect(layout.lastAnswerKey).toBe("u2");
    expect(layout.loose).toEqual([]);
  });

  it("keeps an answer without replyTo as a group of its own", () => {
    const layout = toTranscriptLayout([agent("old1", null), agent("old2", null)], []);
    expect(layout.items.map((item) => (item.kind === "answer" ? item.key : null))).toEqual([
      "old1",
      "old2",
    ]);
    expect(layout.lastAnswerKey).toBe("old2");
  });

  it("puts a regenerated draft with its answer, and any other draft after everything", () => {
    const messages = [user("u1"), agent("a1", "u1"), user("u2")];
    const again = draft("a1b", "u1");
    const fresh = draft("a2", "u2");
    const unplaced = draft("a3");
    const layout = toTranscriptLayout(messages, [again, fresh, unplaced]);
    const group = layout.items[1];
    expect(group?.kind === "answer" ? group.draft : null).toBe(again);
    expect(layout.loose).toEqual([fresh, unplaced]);
    expect(layout.lastAnswerKey).toBeNull();
  });
});

describe("Transcript", () => {
  it("offers the agent's description and suggestions in an empty conversation", () => {
    const onSuggestion = vi.fn();
    const element = <Transcript {...props({ onSuggestion })} />;
    const html = renderToStaticMarkup(element);
    expect(html).toContain("Answers questions about Foyer.");
    const buttons = getAllByTestId(element, "suggestion");
    expect(buttons.map((b) => [b.type, b.props.children])).toEqual([
      ["button", "What is Foyer?"],
      ["button", "Tell me a story"],
    ]);
    clickByTestId(element, "suggestion", 1);
    expect(onSuggestion).toHaveBeenCalledWith("Tell me a story");
  });

  it("offers no suggestions it could not send", () => {
    expect(renderToStaticMarkup(<Transcript {...props()} />)).not.toContain("suggestion");
    const html = renderToStaticMarkup(
      <Transcript {...props({ onSuggestion: () => {}, suggestionsDisabled: true })} />,
    );
    expect(html.match(/<button[^>]*data-testid="suggestion"/g)).toHaveLength(2);
    for (const tag of html.match(/<button[^>]*data-testid="suggestion"[^>]*>/g) ?? []) {
      expect(tag).toContain("disabled");
    }
  });

  it("shows one bubble per answer, the newest version, with Regenerate on the last answer", () => {
    const onRegenerate = vi.fn();
    const messages = [
      user("u1"),
      agent("a1", "u1"),
      user("u2"),
      agent("a2", "u2"),
      agent("a2b", "u2"),
    ];
    const element = <Transcript {...props({ messages, onRegenerate })} />;
    const html = renderToStaticMarkup(element);
    const shown = [...html.matchAll(/data-testid="message"[^>]*data-message-id="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(shown).toEqual(["u1", "a1", "u2", "a2b"]);
    expect(html.match(/data-testid="answer-versions"/g)).toHaveLength(1);
    expect(getAllByTestId(element, "regenerate-answer")).toHaveLength(1);
    clickByTestId(element, "regenerate-answer");
    expect(onRegenerate).toHaveBeenCalledWith("a2b");
  });

  it("offers no Regenerate while an answer is written or a message waits for one", () => {
    const messages = [user("u1"), agent("a1", "u1")];
    const base = { messages, onRegenerate: () => {} };
    const streaming = renderToStaticMarkup(
      <Transcript {...props({ ...base, streaming: [draft("a9", "u9")] })} />,
    );
    expect(streaming).not.toContain("regenerate-answer");
    const waiting = renderToStaticMarkup(
      <Transcript {...props({ ...base, pending: [pendingOne] })} />,
    );
    expect(waiting).not.toContain("regenerate-answer");
    const idle = renderToStaticMarkup(<Transcript {...props(base)} />);
    expect(idle).toContain("regenerate-answer");
  });

  it("shows a regenerated answer being written in place of the answer it replaces", () => {
    const onStop = vi.fn();
    const messages = [user("u1"), agent("a1", "u1")];
    const element = (
      <Transcript {...props({ messages, streaming: [draft("a1b", "u1")], onStop })} />
    );
    const html = renderToStaticMarkup(element);
    expect(html).not.toContain('data-message-id="a1"');
    expect(html).toMatch(/data-testid="streaming-message"[^>]*data-message-id="a1b"/);
    expect(html).toMatch(/2 \/ 2/);
    clickByTestId(element, "stop-answer");
    expect(onStop).toHaveBeenCalledWith("a1b");
  });

  it("passes Stop through to a new answer being written", () => {
    const onStop = vi.fn();
    const element = (
      <Transcript {...props({ messages: [user("u1")], streaming: [draft("a1", "u1")], onStop })} />
    );
    clickByTestId(element, "stop-answer");
    expect(onStop).toHaveBeenCalledWith("a1");
  });
});
