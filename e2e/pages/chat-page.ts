import { expect, type Locator, type Page } from "@playwright/test";

/** What a stored message looks like in the DOM. */
export interface MessageRecord {
  id: string;
  seq: number;
  authorKind: string;
  body: string;
}

/** What streaming bubbles showed since the page loaded, by message id, recorded in the page. */
declare global {
  interface Window {
    /** The longest text each bubble showed. */
    __foyerStreamed?: Record<string, string>;
    /** The first text (not empty) each bubble showed: where it started after a load. */
    __foyerStreamedFirst?: Record<string, string>;
  }
}

/**
 * Records streaming bubbles as they render, so a test can assert on one however briefly
 * it was on screen (a fast agent may finish between two polls of a locator).
 */
function recordStreamingBubbles(): void {
  const streamed: Record<string, string> = {};
  const first: Record<string, string> = {};
  window.__foyerStreamed = streamed;
  window.__foyerStreamedFirst = first;
  const scan = () => {
    for (const el of document.querySelectorAll<HTMLElement>('[data-testid="streaming-message"]')) {
      const id = el.dataset.messageId ?? "";
      const text = el.querySelector('[data-testid="message-body"]')?.textContent ?? "";
      if (text.length >= (streamed[id]?.length ?? 0)) streamed[id] = text;
      if (text !== "" && first[id] === undefined) first[id] = text;
    }
  };
  new MutationObserver(scan).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
  });
}

/** The chat page, by its stable data-testids. */
export class ChatPage {
  readonly identityBadge: Locator;
  readonly connectionStatus: Locator;
  readonly sessionError: Locator;
  readonly retryButton: Locator;
  readonly agentList: Locator;
  readonly agentItems: Locator;
  readonly streamingAgents: Locator;
  readonly transcript: Locator;
  readonly messages: Locator;
  readonly streamingMessages: Locator;
  readonly composerInput: Locator;
  readonly composerSend: Locator;

  constructor(
    readonly page: Page,
    private readonly baseURL?: string,
  ) {
    this.identityBadge = page.getByTestId("identity-badge");
    this.connectionStatus = page.getByTestId("connection-status");
    this.sessionError = page.getByTestId("session-error");
    this.retryButton = this.sessionError.getByRole("button", { name: "Retry" });
    this.agentList = page.getByTestId("agent-list");
    this.agentItems = this.agentList.locator('[data-testid^="agent-item-"]');
    this.streamingAgents = this.agentList.locator(
      '[data-testid^="agent-item-"][data-streams="true"]',
    );
    this.transcript = page.getByTestId("transcript");
    this.messages = this.transcript.getByTestId("message");
    this.streamingMessages = this.transcript.getByTestId("streaming-message");
    this.composerInput = page.getByTestId("composer-input");
    this.composerSend = page.getByTestId("composer-send");
  }

  async goto(): Promise<void> {
    await this.page.addInitScript(recordStreamingBubbles);
    await this.page.goto(this.baseURL ? new URL("/", this.baseURL).href : "/");
  }

  async expectConnected(): Promise<void> {
    await expect(this.connectionStatus).toHaveAttribute("data-state", "connected");
  }

  async userId(): Promise<string> {
    await expect(this.identityBadge).toHaveAttribute("data-user-id", /^[A-Za-z0-9_]+$/);
    return (await this.identityBadge.getAttribute("data-user-id")) ?? "";
  }

  /** The stored message with this id (a version of an answer shows only while chosen). */
  message(messageId: string): Locator {
    return this.transcript.locator(`[data-testid="message"][data-message-id="${messageId}"]`);
  }

  /** The streaming bubble of the answer with this id. */
  streamingMessage(messageId: string): Locator {
    return this.transcript.locator(
      `[data-testid="streaming-message"][data-message-id="${messageId}"]`,
    );
  }

  agentItem(agentId: string): Locator {
    return this.agentList.getByTestId(`agent-item-${agentId}`);
  }

  starToggle(agentId: string): Locator {
    return this.agentList.getByTestId(`agent-star-${agentId}`);
  }

  /** Agent ids in the order the list shows them. */
  async agentOrder(): Promise<string[]> {
    const ids = await this.agentItems.evaluateAll((nodes) =>
      nodes.map((n) => (n as HTMLElement).dataset.testid ?? ""),
    );
    return ids.map((id) => id.replace(/^agent-item-/, ""));
  }

  /** Opens `agentId`, sends `text`, and waits for the agent's stored answer. */
  async chatWith(agentId: string, text: string): Promise<void> {
    await this.openAgent(this.agentItem(agentId));
    await this.send(text);
    const mine = await this.waitForOwnMessage(text);
    await this.waitForAgentMessageAfter(mine.seq);
  }

  /** Opens an agent's channel and waits until the composer can send to it. */
  async openAgent(item: Locator): Promise<string> {
    const testId = (await item.getAttribute("data-testid")) ?? "";
    await item.click();
    await expect(item).toHaveAttribute("aria-current", "true");
    await expect(this.composerInput).toBeEnabled();
    return testId.replace(/^agent-item-/, "");
  }

  async openStreamingAgent(): Promise<string> {
    await expect(this.streamingAgents.first()).toBeVisible();
    return this.openAgent(this.streamingAgents.first());
  }

  /** Types `text` and presses Enter (the composer's send shortcut). */
  async send(text: string): Promise<void> {
    await expect(this.composerInput).toBeEnabled();
    await this.composerInput.fill(text);
    await this.composerInput.press("Enter");
    await expect(this.composerInput).toHaveValue("");
  }

  /** The stored messages now in the transcript, in DOM order. */
  async messageRecords(): Promise<MessageRecord[]> {
    return this.messages.evaluateAll((nodes) =>
      nodes.map((node) => {
        const el = node as HTMLElement;
        return {
          id: el.dataset.messageId ?? "",
          seq: Number(el.dataset.seq),
          authorKind: el.dataset.authorKind ?? "",
          body: el.querySelector('[data-testid="message-body"]')?.textContent ?? "",
        };
      }),
    );
  }

  /** The own message with exactly this body, once it is stored (has a seq). */
  async waitForOwnMessage(body: string, timeout?: number): Promise<MessageRecord> {
    let found: MessageRecord | undefined;
    await expect
      .poll(
        async () => {
          found = (await this.messageRecords()).find(
            (m) => m.authorKind === "user" && m.body === body,
          );
          return found?.seq;
        },
        timeout === undefined ? {} : { timeout },
      )
      .toBeGreaterThan(0);
    return found!;
  }

  /** The first stored agent message after `seq`. */
  async waitForAgentMessageAfter(seq: number): Promise<MessageRecord> {
    let found: MessageRecord | undefined;
    await expect
      .poll(async () => {
        found = (await this.messageRecords()).find((m) => m.authorKind === "agent" && m.seq > seq);
        return found?.body.length ?? 0;
      })
      .toBeGreaterThan(0);
    return found!;
  }

  /** The longest text each streaming bubble showed, by message id. */
  async streamedTexts(): Promise<Record<string, string>> {
    return this.page.evaluate(() => ({ ...(window.__foyerStreamed ?? {}) }));
  }

  /** The first text each streaming bubble showed since the page loaded, by message id. */
  async firstStreamedTexts(): Promise<Record<string, string>> {
    return this.page.evaluate(() => ({ ...(window.__foyerStreamedFirst ?? {}) }));
  }
}
