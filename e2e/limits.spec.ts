import { expect, type Page, test } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";

/** Well past what a socket's send bucket holds while they are typed (10, then 2 a second). */
const BURST = 26;

/**
 * Types each of `bodies` into the composer and presses Enter, one animation frame apart, in
 * the page itself: as fast as the page takes them, whatever the machine's load does to the
 * round trips of Playwright's own typing.
 */
async function typeInOneGo(page: Page, bodies: readonly string[]): Promise<void> {
  await page.getByTestId("composer-input").evaluate(async (input, lines) => {
    const textarea = input as HTMLTextAreaElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")?.set;
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (const line of lines) {
      // The native setter, so React sees a change (as it does when a person types).
      setValue?.call(textarea, line);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      await nextFrame();
      textarea.dispatchEvent(
        new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }),
      );
      await nextFrame();
    }
  }, bodies);
}

test.describe("limits, as a person meets them", () => {
  test("a person who sends too fast is told kindly, and every message goes out after the wait", async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    await chat.expectConnected();
    await chat.openAgent(chat.agentItem("concierge"));

    const stamp = Date.now();
    const bodies = Array.from({ length: BURST }, (_, i) => `burst ${stamp} #${i + 1}`);
    // The bubble of a message over the budget says, kindly, that it goes out in a moment.
    const slowed = page.locator('[data-testid="pending-message"][data-slowed-down="true"]', {
      hasText: "Sending in a moment…",
    });
    const seen = slowed.first().waitFor({ state: "attached", timeout: 20_000 });
    // Pasted line after line, then Enter, a frame apart. (Through Playwright's fill and press
    // one line took over 300 ms on a busy 2-core machine: slower than the bucket refills,
    // so the burst never went over the budget it is here to go over.)
    await typeInOneGo(page, bodies);
    await seen;
    // Every message is stored, once each, in the order it was typed, and none is left failed.
    await expect
      .poll(
        async () =>
          (await chat.messageRecords())
            .filter((m) => m.authorKind === "user" && m.body.startsWith(`burst ${stamp}`))
            .map((m) => m.body),
        { timeout: 30_000 },
      )
      .toEqual(bodies);
    await expect(page.locator('[data-testid="pending-message"]')).toHaveCount(0);
  });
});
