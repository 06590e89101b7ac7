import { expect, type Page, type Response, test } from "@playwright/test";
import { THEME_STORAGE_KEY } from "../lib/shared/preferences";
import { BASE_URL } from "./fixtures/env";
import { AuthPage, uniqueEmail } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";

/**
 * Every page and route carries the security headers (lib/server/web/security-headers.ts), and
 * the pages work under the Content-Security-Policy: each script carries the request's nonce,
 * the cold start's blob: worker starts, the chat connects, and the browser refuses nothing.
 */

const PASSWORD = "a long enough password";
const NONCE = /'nonce-([A-Za-z0-9+/]+={0,2})'/;
const SOCKET_ORIGIN = BASE_URL.replace(/^http/, "ws");

declare global {
  interface Window {
    __reportPolicyViolation?: (text: string) => void;
    __themeAtParse?: string;
  }
}

/** Everything the browser refused under the policy, from the console and from the DOM's events. */
async function watchPolicy(page: Page): Promise<{ refused: string[]; workers: string[] }> {
  const refused: string[] = [];
  const workers: string[] = [];
  const onConsole = (text: string) => {
    if (/Refused to|Content[- ]Security[- ]Policy/i.test(text)) refused.push(text);
  };
  page.on("console", (message) => onConsole(message.text()));
  page.on("worker", (worker) => workers.push(worker.url()));
  await page.exposeFunction("__reportPolicyViolation", (text: string) => refused.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__reportPolicyViolation?.(
        `${event.effectiveDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  return { refused, workers };
}

function directivesOf(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

/** Checks every security header of one response; returns its nonce. */
function expectSecurityHeaders(headers: Record<string, string>, where: string): string {
  const policy = headers["content-security-policy"] ?? "";
  const nonce = NONCE.exec(policy)?.[1];
  expect(nonce, `a nonce in the CSP of ${where}: ${policy}`).toBeTruthy();
  const csp = directivesOf(policy);
  expect(csp.get("script-src"), where).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
  expect(csp.get("style-src"), where).toEqual(["'self'", "'unsafe-inline'"]);
  expect(csp.get("connect-src"), where).toEqual(["'self'", SOCKET_ORIGIN]);
  expect(csp.get("worker-src"), where).toEqual(["'self'", "blob:"]);
  expect(csp.get("frame-ancestors"), where).toEqual(["'none'"]);
  expect(csp.get("base-uri"), where).toEqual(["'none'"]);
  expect(csp.get("object-src"), where).toEqual(["'none'"]);
  expect(csp.get("form-action"), where).toEqual(["'self'"]);
  expect(headers["cross-origin-opener-policy"], where).toBe("same-origin");
  const permissions = (headers["permissions-policy"] ?? "").split(/,\s*/);
  for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) {
    expect(permissions, where).toContain(`${feature}=()`);
  }
  expect(headers["x-content-type-options"], where).toBe("nosniff");
  expect(headers["referrer-policy"], where).toBe("strict-origin-when-cross-origin");
  // The e2e site is http (FOYER_PUBLIC_ORIGIN): HSTS only where the site is https.
  expect(headers["strict-transport-security"], where).toBeUndefined();
  return nonce ?? "";
}

/** Every script element of the page's HTML carries the response's nonce. */
async function expectNoncedScripts(response: Response, nonce: string, where: string) {
  const html = await response.text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1] ?? "");
  expect(scripts.length, where).toBeGreaterThan(0);
  for (const attributes of scripts) {
    expect(attributes, `a script of ${where}`).toContain(`nonce="${nonce}"`);
  }
}

async function visit(page: Page, path: string, status = 200): Promise<string> {
  const response = await page.goto(path);
  if (!response) throw new Error(`no response for ${path}`);
  expect(response.status(), path).toBe(status);
  const nonce = expectSecurityHeaders(response.headers(), path);
  await expectNoncedScripts(response, nonce, path);
  return nonce;
}

test.describe("security headers and the CSP", () => {
  test("every page of a guest carries them, and works under the policy", async ({ page }) => {
    const policy = await watchPolicy(page);
    // The theme boot (an inline script) applies the stored theme while the page is parsed.
    await page.addInitScript((key) => {
      localStorage.setItem(key, "dark");
      document.addEventListener("DOMContentLoaded", () => {
        window.__themeAtParse = document.documentElement.dataset.theme ?? "none";
      });
    }, THEME_STORAGE_KEY);

    const nonces = [await visit(page, "/")];
    const chat = new ChatPage(page);
    await chat.expectConnected();
    expect(await page.evaluate(() => window.__themeAtParse)).toBe("dark");
    // The cold start ran in its blob: worker rather than falling back to the page.
    expect(policy.workers.some((url) => url.startsWith("blob:"))).toBe(true);
    await chat.chatWith("concierge", "hello under the content security policy");
    await expect(chat.streamingMessages).toHaveCount(0);

    nonces.push(await visit(page, "/sessions"));
    await expect(page.getByTestId("guest-session-control")).toBeVisible();
    nonces.push(await visit(page, "/sign-in"));
    nonces.push(await visit(page, "/sign-up"));
    nonces.push(await visit(page, "/no-such-page", 404));
    nonces.push(await visit(page, "/"));
    await chat.expectConnected();

    expect(new Set(nonces).size, "a new nonce for every response").toBe(nonces.length);
    expect(policy.refused).toEqual([]);
  });

  test("a member's chat and sessions page work under the policy", async ({ page }) => {
    const policy = await watchPolicy(page);
    await visit(page, "/sign-up");
    const auth = new AuthPage(page);
    await auth.fill(uniqueEmail("headers"), PASSWORD);
    await auth.submitAndOpenChat();
    const chat = new ChatPage(page);
    await chat.expectConnected();
    await expect(chat.identityBadge).toHaveAttribute("data-kind", "member");
    await chat.chatWith("concierge", "a member under the policy");
    await expect(chat.streamingMessages).toHaveCount(0);
    await visit(page, "/sessions");
    await expect(page.getByTestId("session-row")).toHaveCount(1);
    expect(policy.refused).toEqual([]);
  });

  test("routes carry them too, refusals included", async ({ request }) => {
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expectSecurityHeaders(health.headers(), "GET /api/health");

    const me = await request.get("/api/web/me");
    expectSecurityHeaders(me.headers(), "GET /api/web/me");

    // A cross-site state change is refused, with the headers on the refusal.
    const refused = await request.post("/api/web/guest-session", {
      data: { mode: "lookup_only" },
      headers: { origin: "https://evil.example" },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden:origin" } });
    expectSecurityHeaders(refused.headers(), "a refused POST");
  });
});
