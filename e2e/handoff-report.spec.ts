import { expect, test } from "@playwright/test";
import { BASE_URL } from "./fixtures/env";
import { ChatPage } from "./pages/chat-page";

/** POSTs a handoff report from the page (its cookies, its origin); answers status and code. */
async function reportFrom(page: import("@playwright/test").Page, body: unknown) {
  return page.evaluate(async (json) => {
    const res = await fetch("/api/web/handoff-report", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, code: text ? JSON.parse(text).error?.code : undefined };
  }, body);
}

test.describe("the handoff report", () => {
  test("is accepted only about the reporter's own identity, and only with one", async ({
    page,
    playwright,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    const userId = await chat.userId();

    expect(await reportFrom(page, { step: "guest_created", outcome: "mismatch" })).toEqual({
      status: 204,
    });
    expect(await reportFrom(page, { step: "sign_in", outcome: "error", userId })).toEqual({
      status: 204,
    });
    expect(
      await reportFrom(page, { step: "sign_in", outcome: "mismatch", userId: "usr_someone_else" }),
    ).toEqual({ status: 403, code: "forbidden:identity" });

    // Same origin, but no cookies: nobody to report about.
    const anonymous = await playwright.request.newContext({ baseURL: BASE_URL });
    try {
      const res = await anonymous.post("/api/web/handoff-report", {
        headers: { origin: BASE_URL },
        data: { step: "sign_in", outcome: "mismatch" },
      });
      expect(res.status()).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized:session");
    } finally {
      await anonymous.dispose();
    }
  });
});
