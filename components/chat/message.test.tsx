import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { ChatMessage } from "@/lib/shared/realtime/events";
import { AnswerGroup, MessageBubble, StreamingBubble, VersionSwitcher } from "./message";
import { click, clickByTestId, getAllByTestId, toHostElements } from "./testing/host-elements";

function answer(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: "msg_a1",
    channel: "direct-usr_1-concierge",
    seq: 2,
    clientMessageId: null,
    authorId: "concierge",
    authorKind: "agent",
    body: "An **answer**.",
    createdAt: "2030-01-02T03:04:05.000Z",
    status: "complete",
    note: null,
    replyTo: "msg_u1",
    ...overrides,
  };
}

function question(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return answer({
    id: "msg_u1",
    seq: 1,
    clientMessageId: "c1",
    authorId: "usr_1",
    authorKind: "user",
    body: "A **question**",
    status: null,
    replyTo: null,
    ...overrides,
  });
}

const draft: StreamingDraft = {
  messageId: "msg_a3",
  authorId: "concierge",
  replyTo: "msg_q3",
  text: "So far: ",
};

const render = (element: ReactElement) => renderToStaticMarkup(element);

/** The text a reader sees (tags dropped, the entities React writes decoded). */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");

/** The markup of the (first) element with this data-testid, up to its matching end tag. */
function partOf(html: string, testId: string): string {
  const start = html.search(new RegExp(`<\\w+[^>]*data-testid="${testId}"`));
  if (start === -1) return "";
  const tag = /^<(\w+)/.exec(html.slice(start))?.[1] ?? "";
  const tags = new RegExp(`<(/?)${tag}\\b[^>]*>`, "g");
  tags.lastIndex = start;
  let depth = 0;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  return html.slice(start);
}

describe("MessageBubble", () => {
  it("keeps the attributes the browser tests read, and adds the status", () => {
    const html = render(<MessageBubble message={answer()} mine={false} authorName="Concierge" />);
    expect(html).toMatch(
      /^<li[^>]*data-testid="message" data-seq="2" data-author-kind="agent" data-message-id="msg_a1" data-status="complete"/,
    );
    expect(html).toContain('data-testid="message-body"');
    const user = render(<MessageBubble message={question()} mine authorName="You" />);
    expect(user).toMatch(/^<li[^>]*data-author-kind="user"/);
    expect(user).not.toContain("data-status");
  });

  it("renders an agent answer as markdown", () => {
    const html = render(<MessageBubble message={answer()} mine={false} authorName="Concierge" />);
    expect(html).toContain("<strong>answer</strong>");
    expect(html).toContain('data-testid="markdown"');
  });

  it("keeps a user message as the plain text typed, line breaks included", () => {
    const body = "A **question**\n<b>not bold</b>";
    const html = render(<MessageBubble message={question({ body })} mine authorName="You" />);
    expect(html).not.toContain("<strong>");
    expect(html).not.toContain("<b>");
    expect(html).toMatch(/data-testid="message-body"/);
    expect(partOf(html, "message-body")).toContain("whitespace-pre-wrap");
    expect(textOf(partOf(html, "message-body"))).toBe(body);
  });

  it("offers to copy the raw body of every message", () => {
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    try {
      for (const message of [answer(), question()]) {
        const element = (
          <MessageBubble message={message} mine={message.authorKind === "user"} authorName="X" />
        );
        expect(getAllByTestId(element, "copy-message")).toHaveLength(1);
        clickByTestId(element, "copy-message");
        expect(writeText).toHaveBeenLastCalledWith(message.body);
      }
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("offers Regenerate only when told the answer may be written again", () => {
    const onRegenerate = vi.fn();
    const element = (
      <MessageBubble message={answer()} mine={false} authorName="X" onRegenerate={onRegenerate} />
    );
    clickByTestId(element, "regenerate-answer");
    expect(onRegenerate).toHaveBeenCalledWith("msg_a1");
    const without = render(<MessageBubble message={answer()} mine={false} authorName="X" />);
    expect(without).not.toContain("regenerate-answer");
  });

  it("marks a stopped answer", () => {
    const html = render(
      <MessageBubble message={answer({ status: "stopped" })} mine={false} authorName="X" />,
    );
    expect(textOf(partOf(html, "answer-status"))).toBe("Stopped");
    expect(html).toContain('data-status="stopped"');
  });

  it("shows a failed answer's note and Retry, which writes it again", () => {
    const onRegenerate = vi.fn();
    const message = answer({ status: "failed", body: "", note: "The model is busy. Try again." });
    const element = (
      <MessageBubble message={message} mine={false} authorName="X" onRegenerate={onRegenerate} />
    );
    const html = render(element);
    expect(textOf(partOf(html, "answer-status"))).toContain("The model is busy. Try again.");
    expect(html).toContain('data-testid="retry-answer"');
    expect(html).not.toContain("regenerate-answer");
    // Nothing was written: no empty bubble, nothing to copy.
    expect(partOf(html, "message-body")).toMatch(/class="[^"]*\bhidden\b/);
    expect(html).not.toContain("copy-message");
    clickByTestId(element, "retry-answer");
    expect(onRegenerate).toHaveBeenCalledWith("msg_a1");
  });

  it('says "Answer interrupted · Retry" in those words', () => {
    const onRegenerate = vi.fn();
    const message = answer({ status: "interrupted", body: "Half an", note: "The node restarted" });
    const element = (
      <MessageBubble message={message} mine={false} authorName="X" onRegenerate={onRegenerate} />
    );
    const status = partOf(render(element), "answer-status");
    expect(textOf(status)).toBe("Answer interrupted · Retry");
    clickByTestId(element, "retry-answer");
    expect(onRegenerate).toHaveBeenCalledWith("msg_a1");
  });

  it("leaves Retry out where the answer cannot be written again (not the last)", () => {
    const html = render(
      <MessageBubble message={answer({ status: "interrupted" })} mine={false} authorName="X" />,
    );
    expect(textOf(partOf(html, "answer-status"))).toBe("Answer interrupted");
    expect(html).not.toContain("retry-answer");
  });
});

describe("StreamingBubble", () => {
  it("renders the text so far as markdown, even inside an open fence", () => {
    const text = "Here is **code**:\n\n```js\nconst x";
    const html = render(<StreamingBubble draft={{ ...draft, text }} authorName="X" />);
    expect(html).toMatch(/^<li[^>]*data-testid="streaming-message"[^>]*data-message-id="msg_a3"/);
    expect(html).toContain("<strong>code</strong>");
    expect(html).toMatch(/<code>const x<\/code>/);
  });

  it("has a Stop button that stops this answer", () => {
    const onStop = vi.fn();
    const element = <StreamingBubble draft={draft} authorName="X" onStop={onStop} />;
    const [stop] = getAllByTestId(element, "stop-answer");
    expect(stop?.type).toBe("button");
    expect(stop?.props["aria-label"]).toBe("Stop answer");
    clickByTestId(element, "stop-answer");
    expect(onStop).toHaveBeenCalledWith("msg_a3");
  });
});

describe("VersionSwitcher", () => {
  it('reads "‹ 2 / 3 ›" and steps either way', () => {
    const onSelect = vi.fn();
    const element = <VersionSwitcher index={1} count={3} onSelect={onSelect} />;
    const html = render(element);
    expect(textOf(html)).toBe("Answer versionsVersion 2 / 3");
    const [previous, next] = toHostElements(element).filter((host) => host.type === "button");
    expect(previous?.props["aria-label"]).toBe("Previous version");
    expect(next?.props["aria-label"]).toBe("Next version");
    click(previous);
    expect(onSelect).toHaveBeenLastCalledWith(0);
    click(next);
    expect(onSelect).toHaveBeenLastCalledWith(2);
  });

  it("cannot step past the first or the last version", () => {
    const first = render(<VersionSwitcher index={0} count={2} onSelect={() => {}} />);
    expect(first).toMatch(/aria-label="Previous version" disabled=""/);
    const last = render(<VersionSwitcher index={1} count={2} onSelect={() => {}} />);
    expect(last).toMatch(/aria-label="Next version" disabled=""/);
  });
});

describe("AnswerGroup", () => {
  const first = answer({ id: "msg_a1", seq: 2, body: "First try" });
  const second = answer({ id: "msg_a2", seq: 3, body: "Second try" });

  it("shows only the newest version, with the switcher", () => {
    const html = render(<AnswerGroup versions={[first, second]} draft={null} authorName="X" />);
    expect(html.match(/data-testid="message"/g)).toHaveLength(1);
    expect(html).toContain('data-message-id="msg_a2"');
    expect(html).not.toContain("First try");
    expect(textOf(partOf(html, "answer-versions"))).toContain("2 / 2");
  });

  it("shows no switcher for an answer written once", () => {
    const html = render(<AnswerGroup versions={[first]} draft={null} authorName="X" />);
    expect(html).not.toContain("answer-versions");
  });

  it("regenerates the newest version", () => {
    const onRegenerate = vi.fn();
    const element = (
      <AnswerGroup
        versions={[first, second]}
        draft={null}
        authorName="X"
        onRegenerate={onRegenerate}
      />
    );
    clickByTestId(element, "regenerate-answer");
    expect(onRegenerate).toHaveBeenCalledWith("msg_a2");
  });

  it("shows a version being written as the newest, with Stop and no Regenerate", () => {
    const onStop = vi.fn();
    const element = (
      <AnswerGroup
        versions={[first, second]}
        draft={draft}
        authorName="X"
        onRegenerate={() => {}}
        onStop={onStop}
      />
    );
    const html = render(element);
    expect(html).toMatch(/^<li[^>]*data-testid="streaming-message"/);
    expect(html).not.toContain('data-testid="message"');
    expect(html).not.toContain("regenerate-answer");
    expect(textOf(partOf(html, "answer-versions"))).toContain("3 / 3");
    clickByTestId(element, "stop-answer");
    expect(onStop).toHaveBeenCalledWith("msg_a3");
  });
});
