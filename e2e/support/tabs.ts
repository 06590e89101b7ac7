import { type BrowserContext, expect, type Page } from "@playwright/test";
import { GUEST_SESSION_PATH } from "../../lib/client/identity/guest-session-client";

/** What the tests read of a tab: its guest-session answers and any channel denial. */
export interface TabProbe {
  page: Page;
  /** User ids in this tab's 200 answers from POST /api/web/guest-session. */
  answeredUserIds: string[];
  /** Console lines and page errors that mention a channel denial. */
  denials: string[];
}

const DENIAL = /Channel access denied|forbidden:channel/;

/** A page with listeners that record what {@link TabProbe} holds. */
export async function openProbedTab(context: BrowserContext): Promise<TabProbe> {
  const page = await context.newPage();
  const probe: TabProbe = { page, answeredUserIds: [], denials: [] };
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname !== GUEST_SESSION_PATH || response.status() !== 200)
      return;
    const body = (await response.json().catch(() => null)) as { userId?: string } | null;
    if (body?.userId) probe.answeredUserIds.push(body.userId);
  });
  page.on("console", (message) => {
    if (DENIAL.test(message.text())) probe.denials.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (DENIAL.test(error.message)) probe.denials.push(error.message);
  });
  return probe;
}

/** The user id on a tab's identity badge, once it is connected. */
export async function connectedUserId(page: Page): Promise<string> {
  const badge = page.getByTestId("identity-badge");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "connected");
  await expect(badge).toHaveAttribute("data-user-id", /^[A-Za-z0-9_]+$/);
  return (await badge.getAttribute("data-user-id")) ?? "";
}

/** The tab's non-secret diagnostics (see lib/client/browser-identity.ts). */
export async function diagnostics(page: Page) {
  return page.evaluate(() => window.__foyerDiagnostics?.() ?? null);
}

/** Channel denials the tab counted (acks with forbidden:channel) plus any it logged. */
export async function denialCount(probe: TabProbe): Promise<number> {
  const counted = (await diagnostics(probe.page))?.channelDenials ?? 0;
  const pageText = (await probe.page.textContent("body")) ?? "";
  return counted + probe.denials.length + (DENIAL.test(pageText) ? 1 : 0);
}
