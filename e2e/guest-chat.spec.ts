import { expect, test } from "@playwright/test";
import { GUEST_SESSION_COOKIE } from "../lib/shared/names";
import { BASE_URL, BROKEN_BASE_URL } from "./fixtures/env";
import { ChatPage } from "./pages/chat-page";

test.describe("a guest chats with agents in a real browser", () => {
  test("a cold visitor chats with a streaming agent as a guest", async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto();

    await expect(chat.identityBadge).toContainText("Guest");
    await expect(chat.identityBadge).toHaveAttribute("data-kind", "guest");
    await chat.userId();
    await chat.expectConnected();

    await chat.openStreamingAgent();
    const text = `Hello from a cold visitor ${Date.now()}`;
    await chat.send(text);

    const mine = await chat.waitForOwnMessage(text);
    expect(mine.seq).toBeGreaterThan(0);

    const answer = await chat.waitForAgentMessageAfter(mine.seq);
    const streamed = (await chat.streamedTexts())[answer.id];
    // The bubble for this answer was on screen, then became the stored message (same id)
    // whose text is what the bubble was building.
    expect(streamed, "a streaming bubble was shown for the answer").toBeTruthy();
    expect(answer.body.startsWith(streamed ?? "\u0000")).toBe(true);
    await expect(chat.streamingMessages).toHaveCount(0);
    await expect(chat.transcript.locator(`[data-message-id="${answer.id}"]`)).toHaveCount(1);

    // Exactly one copy of the own message, and the answer comes after it.
    await expect(chat.messages.filter({ hasText: text })).toHaveCount(1);
    expect(answer.seq).toBeGreaterThan(mine.seq);
  });

  test("a cold load asks for its identity while it loads, once, and opens one WebSocket", async ({
    page,
  }) => {
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const opened: string[] = [];
      (window as unknown as { __wsOpened: string[] }).__wsOpened = opened;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          opened.push(String(url));
        }
      };
    });
    // The requests leave from the cold-start script's worker, which the page's resource
    // timeline does not list; Playwright reports them with the page's own.
    const posts: { mode: string; start: number }[] = [];
    page.on("requestfinished", (request) => {
      if (!request.url().endsWith("/api/web/guest-session")) return;
      posts.push({ mode: request.postDataJSON().mode, start: request.timing().startTime });
    });
    const chat = new ChatPage(page);
    await chat.goto();
    await chat.userId();
    await chat.expectConnected();
    const seen = await page.evaluate(() => ({
      origin: performance.timeOrigin,
      hydrated: performance.getEntriesByName("foyer:hydrated")[0]?.startTime ?? Number.NaN,
      sockets: (window as unknown as { __wsOpened: string[] }).__wsOpened.filter((u) =>
        u.includes("/socket.io/"),
      ).length,
    }));
    // The page's cold-start script: the guest is created and its cookie checked (two POSTs,
    // no more), the first of them sent before React hydrated the page.
    await expect.poll(() => posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.map((p) => p.mode)).toEqual(["lookup_or_create", "lookup_only"]);
    expect(posts[0]!.start - seen.origin).toBeLessThan(seen.hydrated);
    // The transport opened ahead is the one the socket connected on.
    expect(seen.sockets).toBe(1);
  });

  test("a reload keeps the same guest, its cookie and its history", async ({ page, context }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    const userId = await chat.userId();
    await chat.expectConnected();

    const agentId = await chat.openAgent(chat.agentItems.first());
    const text = `Remember me ${Date.now()}`;
    await chat.send(text);
    const mine = await chat.waitForOwnMessage(text);

    await page.reload();
    await expect(chat.identityBadge).toHaveAttribute("data-user-id", userId);
    await chat.expectConnected();

    const cookies = await context.cookies(BASE_URL);
    const guest = cookies.find((c) => c.name === GUEST_SESSION_COOKIE);
    expect(guest, "the guest cookie was set").toBeDefined();
    expect(guest).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax", path: "/" });
    expect(guest?.domain).toBe("localhost");
    expect(await page.evaluate(() => document.cookie)).not.toContain(GUEST_SESSION_COOKIE);

    await chat.openAgent(chat.agentItem(agentId));
    const again = await chat.waitForOwnMessage(text);
    expect(again).toEqual(mine);
    await expect(chat.messages.filter({ hasText: text })).toHaveCount(1);
  });

  test("the theme preference is kept on the server and applied on every load", async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    await chat.expectConnected();
    const select = page.getByTestId("theme-select");
    await expect(select).toBeEnabled();
    await select.selectOption("dark");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe("rgb(15, 18, 24)");
    // Applied before the first paint on the next load, not only once the socket answered.
    await page.reload({ waitUntil: "domcontentloaded" });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await chat.expectConnected();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(select).toHaveValue("dark");
    await select.selectOption("light");
    await expect.poll(background).toBe("rgb(244, 245, 248)");
  });

  test("an unreachable session authority shows an error and creates no guest", async ({
    page,
    context,
  }) => {
    const chat = new ChatPage(page, BROKEN_BASE_URL);
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/web/guest-session",
    );
    await chat.goto();

    expect([502, 503]).toContain((await answered).status());
    await expect(chat.sessionError).toBeVisible();
    await expect(chat.sessionError).toContainText(/unavailable:authority|bad_gateway:authority/);
    await expect(chat.connectionStatus).toHaveAttribute("data-state", "error");
    await expect(chat.identityBadge).toHaveCount(0);
    await expect(page.locator("[data-user-id]")).toHaveCount(0);

    // Retrying asks again and fails the same way; it never falls back to a new guest.
    const retried = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/web/guest-session",
    );
    await chat.retryButton.click();
    expect([502, 503]).toContain((await retried).status());
    await expect(chat.sessionError).toBeVisible();
    await expect(page.locator("[data-user-id]")).toHaveCount(0);

    const cookies = await context.cookies(BROKEN_BASE_URL);
    expect(cookies.find((c) => c.name === GUEST_SESSION_COOKIE)).toBeUndefined();
  });
});
