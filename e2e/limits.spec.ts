import { expect, test } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";

/** Well past what a socket's send bucket holds while they are typed (10, then 2 a second). */
const BURST = 26;

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
    // Typed as fast as a person pasting lines: fill, Enter, next.
    for (const body of bodies) {
      await chat.composerInput.fill(body);
      await chat.composerInput.press("Enter");
    }
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
