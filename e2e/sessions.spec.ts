import { expect, test } from "@playwright/test";
import { BASE_URL } from "./fixtures/env";
import { AuthPage, uniqueEmail } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";

const PASSWORD = "a long enough password";

test.describe("the Sessions page", () => {
  test("revoking a session in one browser signs the other browser's tab out within two seconds", async ({
    page,
    browser,
  }) => {
    const email = uniqueEmail("sessions");
    const auth = new AuthPage(page);
    await auth.goto("sign-up");
    await auth.fill(email, PASSWORD);
    await auth.submitAndOpenChat();
    const memberId = await new ChatPage(page).userId();

    const other = await browser.newContext({ baseURL: BASE_URL });
    try {
      const phone = await other.newPage();
      const phoneAuth = new AuthPage(phone);
      await phoneAuth.goto("sign-in");
      await phoneAuth.fill(email, PASSWORD);
      await phoneAuth.submitAndOpenChat();
      const phoneChat = new ChatPage(phone);
      await expect(phoneChat.identityBadge).toHaveAttribute("data-user-id", memberId);
      await phoneChat.expectConnected();

      await page.getByTestId("sessions-link").click();
      const rows = page.getByTestId("session-row");
      await expect(rows).toHaveCount(2);
      const otherRow = page.locator('[data-testid="session-row"][data-current="false"]');
      await expect(otherRow).toHaveCount(1);
      await otherRow.getByTestId("session-revoke").click();
      await expect(page.getByTestId("sessions-message")).toHaveText("Ended on every device.");
      const answeredAt = Date.now();

      // The other browser's tab learns at once: signed out, told why, a guest again.
      await expect(phone.getByTestId("identity-notice")).toHaveAttribute(
        "data-notice",
        "session_revoked",
        { timeout: 2_000 },
      );
      const noticedInMs = Date.now() - answeredAt;
      await expect(phoneChat.identityBadge).toHaveAttribute("data-kind", "guest");
      expect(await phoneChat.userId()).not.toBe(memberId);
      console.info(`revoked session's tab noticed ${noticedInMs} ms after the answer`);
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toHaveAttribute("data-current", "true");
    } finally {
      await other.close();
    }
  });

  test("a guest can end its own guest session", async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    const guestId = await chat.userId();
    await page.getByTestId("sessions-link").click();
    await page
      .getByTestId("guest-session-control")
      .getByRole("button", { name: "End guest session" })
      .click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect(chat.identityBadge).toHaveAttribute("data-kind", "guest");
    expect(await chat.userId()).not.toBe(guestId);
  });
});
