import { type Browser, chromium } from "@playwright/test";
import { atMost, type Figure, type Row } from "../lib/figure";
import { startServerProcess } from "../lib/server-process";
import { type Spread, toSpread } from "../lib/stats";
import { readCpuSample, toStealShare } from "../lib/steal";

const LOADS = 20;
const WARM_UP_LOADS = 3;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface Load {
  hydrated: number;
  connected: number;
  /** When the first guest-session request went out, and when the last answer arrived. */
  asked: number;
  identified: number;
  /** When the page's WebSocket opened. */
  wsOpen: number;
}

/** Bench-only instrumentation: when the page creates and opens its WebSocket. */
function recordWebSockets(): void {
  const Native = window.WebSocket;
  const times = { created: Number.NaN, open: Number.NaN };
  (window as unknown as { __benchWs: typeof times }).__benchWs = times;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (Number.isNaN(times.created)) times.created = performance.now();
      this.addEventListener("open", () => {
        if (Number.isNaN(times.open)) times.open = performance.now();
      });
    }
  };
}

/** One cold load (a new browser context: no cookies, no cache) until the socket connected. */
async function coldLoad(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(recordWebSockets);
    // The guest-session requests leave from the cold-start script's worker, which the page's
    // resource timeline does not list: Playwright reports them with the page's.
    const posts: { start: number; end: number }[] = [];
    page.on("requestfinished", (request) => {
      if (!request.url().endsWith("/api/web/guest-session")) return;
      const timing = request.timing();
      posts.push({ start: timing.startTime, end: timing.startTime + timing.responseEnd });
    });
    await page.goto(url);
    await page.waitForFunction(
      () => performance.getEntriesByName("foyer:socket-connected").length > 0,
      null,
      { timeout: 15_000, polling: 50 },
    );
    const seen = await page.evaluate(() => {
      const ws = (window as unknown as { __benchWs: { created: number; open: number } }).__benchWs;
      return {
        origin: performance.timeOrigin,
        hydrated: performance.getEntriesByName("foyer:hydrated")[0]?.startTime ?? Number.NaN,
        connected:
          performance.getEntriesByName("foyer:socket-connected")[0]?.startTime ?? Number.NaN,
        wsOpen: ws.open,
      };
    });
    return {
      hydrated: seen.hydrated,
      connected: seen.connected,
      asked: Math.min(...posts.map((p) => p.start)) - seen.origin,
      identified: Math.max(...posts.map((p) => p.end)) - seen.origin,
      wsOpen: seen.wsOpen,
    };
  } finally {
    await context.close();
  }
}

/**
 * B8: in Debian's Chromium, 20 cold loads of the chat (each creates a guest): the time from
 * navigation start to the first socket connected over the time to hydration, both from the
 * page's own marks (`foyer:hydrated`, `foyer:socket-connected`; lib/client/diagnostics.ts).
 */
export const b8: Figure = {
  id: "B8",
  title: "Chromium: navigation → first socket connected ÷ navigation → hydrated (cold loads)",
  async run(ctx) {
    const appDir = await ctx.appDir();
    const server = await startServerProcess("b8-web");
    let browser: Browser | null = null;
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const node = await server.call<{ url: string }>("startFoyer", { nextDir: appDir });
      // `localhost`: a browser keeps `Secure` (`__Host-`) cookies over http only there.
      const url = node.url.replace("127.0.0.1", "localhost");
      browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
      for (let i = 0; i < WARM_UP_LOADS; i++) await coldLoad(browser, url);
      const start = readCpuSample();
      const loads: Load[] = [];
      const steals: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const before = readCpuSample();
        loads.push(await coldLoad(browser, url));
        steals.push(toStealShare(before, readCpuSample()));
      }
      const steal = toStealShare(start, readCpuSample());
      const row = (figure: string, measured: Spread, more: Partial<Row> = {}): Row => ({
        id: "B8",
        figure,
        measured,
        goal: "—",
        pass: null,
        rounds: LOADS,
        steal,
        stealMaxWindow: toSpread(steals).max,
        ...more,
      });
      const spread = (f: (l: Load) => number) => toSpread(loads.map(f));
      const ms = { unit: "ms" } as const;
      const ratio = spread((l) => l.connected / l.hydrated);
      return [
        row(b8.title, ratio, { goal: "≤ 1.3", pass: atMost(1.3)(ratio) }),
        row(
          "  navigation → hydrated",
          spread((l) => l.hydrated),
          ms,
        ),
        row(
          "  navigation → first socket connected",
          spread((l) => l.connected),
          ms,
        ),
        row(
          "  navigation → first guest-session request sent (the cold-start script's worker)",
          spread((l) => l.asked),
          ms,
        ),
        row(
          "  navigation → identity known (last guest-session answer)",
          spread((l) => l.identified),
          ms,
        ),
        row(
          "  navigation → WebSocket open (opened ahead of the identity)",
          spread((l) => l.wsOpen),
          ms,
        ),
        row(
          "  hydrated → socket connected (the chat renders, CONNECT answered)",
          spread((l) => l.connected - l.hydrated),
          ms,
        ),
      ];
    } finally {
      await browser?.close();
      await server.stop();
    }
  },
};
