import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { THEME_STORAGE_KEY } from "../lib/shared/preferences";
import { AuthPage, uniqueEmail } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";

const PASSWORD = "a long enough password";
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];

/** The page's body colour in each theme: proves the theme really applied before axe looks. */
const BACKGROUND: Record<Theme, string> = {
  light: "rgb(244, 245, 248)",
  dark: "rgb(15, 18, 24)",
};

/**
 * Runs axe (WCAG 2.0 and 2.1, A and AA) on what the page shows now and expects no violation;
 * on failure the message lists each one as `id target: summary`.
 */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} ${node.target.join(" ")}: ${node.failureSummary ?? violation.help}`,
    ),
  );
  expect.soft(found, `axe on ${where}`).toEqual([]);
}

/** Picks the theme as a visitor does (the header's select); later loads apply it at once. */
async function chooseTheme(page: Page, theme: Theme): Promise<void> {
  const select = page.getByTestId("theme-select");
  await expect(select).toBeEnabled();
  await select.selectOption(theme);
  await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
}

async function expectTheme(page: Page, theme: Theme): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
  await expect
    .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
    .toBe(BACKGROUND[theme]);
}

/** Opens the chat, waits for the connection, picks the theme and exchanges one message. */
async function openChatAndTalk(page: Page, theme: Theme): Promise<ChatPage> {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.expectConnected();
  await chooseTheme(page, theme);
  await chat.chatWith("concierge", `hello in the ${theme} theme`);
  await expect(chat.streamingMessages).toHaveCount(0);
  await expectTheme(page, theme);
  return chat;
}

test.describe("accessibility: axe finds no WCAG 2.1 A/AA violation", () => {
  for (const theme of THEMES) {
    test(`${theme} theme: the chat, the guest's sessions page, sign-in and sign-up`, async ({
      page,
    }) => {
      await openChatAndTalk(page, theme);
      await expectNoViolations(page, `the guest chat (${theme})`);

      await page.goto("/sessions");
      await expect(page.getByTestId("guest-session-control")).toBeVisible();
      await expect.soft(page.getByRole("heading", { level: 1 })).toHaveCount(1);
      await expectTheme(page, theme);
      await expectNoViolations(page, `the guest's sessions page (${theme})`);

      const auth = new AuthPage(page);
      for (const mode of ["sign-in", "sign-up"] as const) {
        await auth.goto(mode);
        await expectTheme(page, theme);
        await expectNoViolations(page, `${mode} (${theme})`);
      }
      // The error colours too: the form as it explains what is wrong.
      await auth.fill("not an email", "short");
      await auth.submit.click();
      await expect(auth.email).toHaveAttribute("aria-invalid", "true");
      await expectNoViolations(page, `sign-up with field errors (${theme})`);
    });

    test(`${theme} theme: a member's chat and sessions page`, async ({ page }) => {
      const auth = new AuthPage(page);
      await auth.goto("sign-up");
      await auth.fill(uniqueEmail(`a11y-${theme}`), PASSWORD);
      await auth.submitAndOpenChat();
      const chat = await openChatAndTalk(page, theme);
      await expect(chat.identityBadge).toHaveAttribute("data-kind", "member");
      await expectNoViolations(page, `the member chat (${theme})`);

      await page.getByTestId("sessions-link").click();
      await expect(page.getByTestId("session-row")).toHaveCount(1);
      await expectTheme(page, theme);
      await expectNoViolations(page, `the member's sessions page (${theme})`);
    });
  }

  test("the system theme follows the operating system's colour scheme", async ({ page }) => {
    const auth = new AuthPage(page);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.addInitScript((key) => localStorage.setItem(key, "system"), THEME_STORAGE_KEY);
    await auth.goto("sign-in");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe(BACKGROUND.dark);
    await expectNoViolations(page, "sign-in (system, dark)");
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(background).toBe(BACKGROUND.light);
  });
});
