import { expect, test } from "@playwright/test";
import { GUEST_SESSION_COOKIE, MEMBER_SESSION_COOKIE } from "../lib/shared/names";
import { BASE_URL, BROKEN_BASE_URL } from "./fixtures/env";
import { AuthPage, uniqueEmail } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";

const PASSWORD = "a long enough password";

test.describe("members: a guest's history always comes along", () => {
  test("a guest chats with two agents and stars one, signs up, signs out, signs in elsewhere", async ({
    page,
    browser,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    const guestId = await chat.userId();
    await chat.expectConnected();

    const first = `first agent ${Date.now()}`;
    const second = `second agent ${Date.now()}`;
    await chat.chatWith("concierge", first);
    await chat.chatWith("storyteller", second);
    await chat.starToggle("storyteller").click();
    await expect(chat.starToggle("storyteller")).toHaveAttribute("aria-pressed", "true");
    expect((await chat.agentOrder())[0]).toBe("storyteller");

    // Sign up: the new member holds everything the guest did.
    await page.getByTestId("sign-up-link").click();
    const auth = new AuthPage(page);
    await expect(auth.form).toContainText("comes with you");
    const email = uniqueEmail("guest-to-member");
    await auth.fill(email, PASSWORD);
    await auth.submitAndOpenChat();
    await expect(chat.identityBadge).toHaveAttribute("data-kind", "member");
    await expect(page.getByTestId("identity-email")).toHaveText(email);
    const memberId = await chat.userId();
    expect(memberId).not.toBe(guestId);
    await chat.expectConnected();
    await expectHistory(chat, first, second);

    const cookies = await page.context().cookies(BASE_URL);
    const member = cookies.find((c) => c.name === MEMBER_SESSION_COOKIE);
    expect(member).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookies.find((c) => c.name === GUEST_SESSION_COOKIE)).toBeUndefined();

    // Sign out: this browser is a new guest with none of the member's data.
    await page.getByTestId("sign-out").click();
    await expect(chat.identityBadge).toHaveAttribute("data-kind", "guest");
    const nextGuest = await chat.userId();
    expect([guestId, memberId]).not.toContain(nextGuest);
    await chat.expectConnected();
    await expect(chat.starToggle("storyteller")).toHaveAttribute("aria-pressed", "false");
    const after = await page.context().cookies(BASE_URL);
    expect(after.find((c) => c.name === MEMBER_SESSION_COOKIE)).toBeUndefined();

    // Another browser context (another device): sign in and find it all there.
    const elsewhere = await browser.newContext({ baseURL: BASE_URL });
    try {
      const other = await elsewhere.newPage();
      const otherAuth = new AuthPage(other);
      await otherAuth.goto("sign-in");
      await otherAuth.fill(email, PASSWORD);
      await otherAuth.submitAndOpenChat();
      const otherChat = new ChatPage(other);
      await expect(otherChat.identityBadge).toHaveAttribute("data-user-id", memberId);
      await otherChat.expectConnected();
      await expectHistory(otherChat, first, second);
    } finally {
      await elsewhere.close();
    }
  });

  test("forms explain what is wrong and never say whether an account exists", async ({ page }) => {
    const auth = new AuthPage(page);
    await auth.goto("sign-up");
    await auth.fill("not an email", "short");
    await auth.submit.click();
    await expect(auth.email).toHaveAttribute("aria-invalid", "true");
    await expect(auth.password).toHaveAttribute("aria-invalid", "true");
    await expect(auth.form).toContainText("Enter a valid email address.");

    await auth.goto("sign-in");
    await auth.fill(uniqueEmail("nobody"), PASSWORD);
    await auth.submit.click();
    await expect(auth.error).toHaveText("Email or password is incorrect.");
  });

  test("a cross-site form can neither sign a visitor in nor touch their session", async ({
    page,
    context,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    await chat.userId();
    const before = await context.cookies(BASE_URL);

    // A page on another origin (the second test server) submits a sign-in form to Foyer,
    // the classic login-CSRF shape (text/plain, so no CORS preflight).
    const target = new URL("/api/web/auth/sign-in", BASE_URL).href;
    // The attacker's own page, without Foyer's headers: a Foyer page's CSP (form-action
    // 'self') would stop the form before it ever reached Foyer's own check.
    const attacker = new URL("/attacker", BROKEN_BASE_URL).href;
    await page.route(attacker, (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Elsewhere</title>" }),
    );
    await page.goto(attacker);
    const answered = page.waitForResponse((r) => r.url() === target);
    await page.evaluate((action) => {
      const form = document.createElement("form");
      form.method = "POST";
      form.action = action;
      form.enctype = "text/plain";
      const input = document.createElement("input");
      input.name = '{"email":"victim@example.test","password":"x","pad":"';
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      form.submit();
    }, target);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain("forbidden:origin");
    expect(await context.cookies(BASE_URL)).toEqual(before);
  });
});

async function expectHistory(chat: ChatPage, first: string, second: string): Promise<void> {
  await expect(chat.starToggle("storyteller")).toHaveAttribute("aria-pressed", "true");
  expect((await chat.agentOrder())[0]).toBe("storyteller");
  await chat.openAgent(chat.agentItem("concierge"));
  await expect(chat.messages.filter({ hasText: first })).toHaveCount(1);
  await expect(chat.messages.filter({ hasText: second })).toHaveCount(0);
  await chat.openAgent(chat.agentItem("storyteller"));
  await expect(chat.messages.filter({ hasText: second })).toHaveCount(1);
  expect(
    (await chat.messageRecords()).filter((m) => m.authorKind === "agent").length,
  ).toBeGreaterThan(0);
}
