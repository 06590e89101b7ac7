import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { MEMBER_SESSION_COOKIE } from "../lib/shared/names";
import { BASE_URL } from "./fixtures/env";
import { AuthPage, uniqueEmail } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";
import { connectedUserId, denialCount, openProbedTab } from "./support/tabs";

const PASSWORD = "a long enough password";

declare global {
  interface Window {
    __setHidden?: (hidden: boolean) => void;
  }
}

/**
 * A tab that misses every cross-tab broadcast (as a frozen or discarded background tab
 * does) and whose visibility the test controls.
 */
async function openDeafTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    class Deaf {
      postMessage() {}
      addEventListener() {}
      removeEventListener() {}
      close() {}
    }
    Object.defineProperty(window, "BroadcastChannel", { value: Deaf });
    let hidden = false;
    Object.defineProperty(Document.prototype, "visibilityState", {
      get: () => (hidden ? "hidden" : "visible"),
    });
    Object.defineProperty(Document.prototype, "hidden", { get: () => hidden });
    window.__setHidden = (next: boolean) => {
      hidden = next;
      document.dispatchEvent(new Event("visibilitychange"));
    };
  });
  return page;
}

async function signUpIn(page: Page): Promise<{ email: string; memberId: string }> {
  const email = uniqueEmail("healing");
  const auth = new AuthPage(page);
  await auth.goto("sign-up");
  await auth.fill(email, PASSWORD);
  await auth.submitAndOpenChat();
  return { email, memberId: await connectedUserId(page) };
}

test.describe("self-healing identity", () => {
  test("a tab hidden across a sign-in elsewhere wakes up as the member", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: BASE_URL });
    try {
      const active = await context.newPage();
      const hidden = await openDeafTab(context);
      await Promise.all([active.goto("/"), hidden.goto("/")]);
      const guestId = await connectedUserId(active);
      expect(await connectedUserId(hidden)).toBe(guestId);
      await hidden.evaluate(() => window.__setHidden?.(true));

      const { memberId } = await signUpIn(active);
      await hidden.evaluate(() => window.__setHidden?.(false));
      const chat = new ChatPage(hidden);
      await expect(chat.identityBadge).toHaveAttribute("data-user-id", memberId);
      await expect(chat.identityBadge).toHaveAttribute("data-kind", "member");
      await chat.expectConnected();
    } finally {
      await context.close();
    }
  });

  test("a cookie changed behind the client's back is detected and healed", async ({ browser }) => {
    const memberContext = await browser.newContext({ baseURL: BASE_URL });
    const context = await browser.newContext({ baseURL: BASE_URL });
    try {
      const { memberId } = await signUpIn(await memberContext.newPage());
      const memberCookie = (await memberContext.cookies(BASE_URL)).find(
        (c) => c.name === MEMBER_SESSION_COOKIE,
      );
      expect(memberCookie).toBeDefined();

      const tab = await openDeafTab(context);
      const probe = { page: tab, answeredUserIds: [], denials: [] };
      await tab.goto("/");
      const guestId = await connectedUserId(tab);
      // Another identity lands in the cookie jar: no broadcast, no revocation, no reload of
      // the tab (a helper page of the same origin receives the Set-Cookie).
      await context.route("**/__plant", (route) =>
        route.fulfill({
          contentType: "text/html",
          headers: {
            "set-cookie": `${MEMBER_SESSION_COOKIE}=${memberCookie?.value}; Path=/; Secure; HttpOnly; SameSite=Lax`,
          },
          body: "<!doctype html><title>planted</title>",
        }),
      );
      const helper = await context.newPage();
      await helper.goto("/__plant");
      await helper.close();
      const chat = new ChatPage(tab);
      await expect(chat.identityBadge).toHaveAttribute("data-user-id", guestId);
      // The next time the tab is looked at, it checks the cookies and rebuilds everything.
      await tab.evaluate(() => window.__setHidden?.(false));
      await expect(chat.identityBadge).toHaveAttribute("data-user-id", memberId);
      await expect(tab.getByTestId("identity-notice")).toBeVisible();
      await chat.expectConnected();
      const text = `healed ${Date.now()}`;
      await chat.send(text);
      await chat.waitForOwnMessage(text);
      expect(await denialCount(probe)).toBe(0);
    } finally {
      await context.close();
      await memberContext.close();
    }
  });

  test("unread counts and the latest line update for a non-open agent, in two tabs", async ({
    browser,
  }) => {
    const context = await browser.newContext({ baseURL: BASE_URL });
    try {
      const [one, two] = [await openProbedTab(context), await openProbedTab(context)];
      await Promise.all([one.page.goto("/"), two.page.goto("/")]);
      await connectedUserId(one.page);
      await connectedUserId(two.page);
      const a = new ChatPage(one.page);
      const b = new ChatPage(two.page);
      await b.openAgent(b.agentItem("concierge"));

      // Tab one asks the model for a slow answer (about 7 s) and looks at another agent while
      // it is still being written, so it lands unread. (The storyteller's 1.5 s story could
      // end before the switch on a busy machine, and then it was read where it landed.)
      await a.openAgent(a.agentItem("assistant"));
      await a.send(`[fake:tokens:30:250] an answer for later ${Date.now()}`);
      await expect(a.streamingMessages).toHaveCount(1);
      await a.openAgent(a.agentItem("concierge"));

      for (const tab of [one.page, two.page]) {
        await expect(tab.getByTestId("agent-unread-assistant")).toHaveText(/^1/, {
          timeout: 30_000,
        });
        await expect(tab.getByTestId("agent-latest-assistant")).toHaveText(/^The lamp in foyer/);
      }
      // Reading it in one tab clears it in both.
      await b.openAgent(b.agentItem("assistant"));
      for (const tab of [one.page, two.page]) {
        await expect(tab.getByTestId("agent-unread-assistant")).toHaveCount(0);
      }
      expect(await denialCount(one)).toBe(0);
      expect(await denialCount(two)).toBe(0);
    } finally {
      await context.close();
    }
  });
});

test("a message typed offline under the guest is never sent under the member it became", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: BASE_URL });
  try {
    const [signer, offline] = [await context.newPage(), await context.newPage()];
    // Playwright routes a page's WebSockets from its next load on: set up the cut first.
    let cut = false;
    await offline.routeWebSocket(/socket\.io/, (ws) => {
      if (cut) ws.close();
      else ws.connectToServer();
    });
    await Promise.all([signer.goto("/"), offline.goto("/")]);
    await connectedUserId(signer);
    await connectedUserId(offline);
    const chat = new ChatPage(offline);
    await chat.openAgent(chat.agentItem("concierge"));

    // The tab loses the network: its socket drops and cannot come back, HTTP fails (the API,
    // and Socket.IO's long-polling fallback).
    cut = true;
    await offline.route(/\/(api|socket\.io)\//, (route) => route.abort("internetdisconnected"));
    await offline.evaluate(() => window.__foyerDropConnection?.());
    await expect(chat.connectionStatus).not.toHaveAttribute("data-state", "connected");
    const text = `typed offline ${Date.now()}`;
    await chat.composerInput.fill(text);
    await chat.composerInput.press("Enter");
    // Queued, waiting for this identity's connection to come back.
    await expect(offline.getByTestId("pending-message").filter({ hasText: text })).toBeVisible();

    // Meanwhile the visitor signs up in the other tab; then the network comes back.
    const { memberId } = await signUpIn(signer);
    cut = false;
    await offline.unrouteAll({ behavior: "ignoreErrors" });
    await expect(chat.identityBadge).toHaveAttribute("data-user-id", memberId, { timeout: 20_000 });
    await chat.expectConnected();
    await expect(offline.getByTestId("pending-message")).toHaveCount(0);
    await chat.openAgent(chat.agentItem("concierge"));
    await expect(chat.transcript).not.toContainText(text);
    // Nor did it reach the member through the other tab's view of the same channel.
    const memberChat = new ChatPage(signer);
    await memberChat.openAgent(memberChat.agentItem("concierge"));
    await expect(memberChat.transcript).not.toContainText(text);
  } finally {
    await context.close();
  }
});
