import { runClosedLoop } from "../lib/closed-loop";
import { atLeast, atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { createHttpClient, type HttpRequest } from "../lib/http-client";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import type { BenchGuest } from "../servers/guests";

const CONNECTIONS = 8;
const BODY = JSON.stringify({ mode: "lookup_only" });

/**
 * B4: POST /api/web/guest-session for an existing guest (route → proxy → authority lookup →
 * socket token) against a trivial POST route of the bench copy, in the same Next.js server.
 * Also, without a goal: the same request through Next.js ÷ straight to the authority.
 */
export const b4: Figure = {
  id: "B4",
  title: "POST /api/web/guest-session (existing guest) ÷ a trivial route, same server",
  async run(ctx) {
    const appDir = await ctx.appDir();
    const server = await startServerProcess("b4-web");
    const http: ReturnType<typeof createHttpClient>[] = [];
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const node = await server.call<{ url: string; authorityUrl: string }>("startFoyer", {
        nextDir: appDir,
      });
      const guests = await server.call<BenchGuest[]>("createGuests", { count: CONNECTIONS });
      const web = createHttpClient(node.url, CONNECTIONS);
      const authority = createHttpClient(node.authorityUrl, CONNECTIONS);
      http.push(web, authority);
      const json = { "content-type": "application/json", origin: node.url };
      const guestSession = (w: number): HttpRequest => ({
        method: "POST",
        path: "/api/web/guest-session",
        headers: { ...json, cookie: guests[w]!.cookie },
        body: BODY,
      });
      const trivial: HttpRequest = {
        method: "POST",
        path: "/api/bench/trivial",
        headers: json,
        body: BODY,
      };
      const direct = (w: number): HttpRequest => ({
        ...guestSession(w),
        path: "/v1/guest-session",
      });
      const arm =
        (client: typeof web, request: (w: number) => HttpRequest, workers = CONNECTIONS) =>
        async (ms: number) =>
          toLoopMetrics(await runClosedLoop(workers, ms, (w) => client.send(request(w))));
      const options = { rounds: ctx.rounds, windowMs: ctx.windowMs, warmupMs: ctx.warmupMs };

      ctx.progress("B4: throughput, 8 connections");
      const loaded = await runInterleaved<LoopMetrics>({
        ...options,
        runA: arm(web, guestSession),
        runB: arm(web, () => trivial),
      });
      ctx.progress("B4: latency, 1 client");
      const single = await runInterleaved<LoopMetrics>({
        ...options,
        runA: arm(web, guestSession, 1),
        runB: arm(web, () => trivial, 1),
      });
      ctx.progress("B4: through Next.js ÷ straight to the authority");
      const proxied = await runInterleaved<LoopMetrics>({
        ...options,
        runA: arm(web, guestSession),
        runB: arm(authority, direct),
      });
      const ratio = toPairRatios(loaded, (a, b) => a.perSecond / b.perSecond);
      const added = toPairRatios(single, (a, b) => a.p50 - b.p50);
      return [
        toRow(loaded, {
          id: "B4",
          figure: b4.title,
          measured: ratio,
          goal: "≥ 0.60",
          pass: atLeast(0.6)(ratio),
        }),
        toRow(single, {
          id: "B4",
          figure: "  added p50 latency at 1 client",
          measured: added,
          unit: "ms",
          goal: "≤ 2 ms",
          pass: atMost(2)(added),
        }),
        toRow(loaded, {
          id: "B4",
          figure: "  guest-session requests/s (8 connections)",
          measured: toPairRatios(loaded, (a) => a.perSecond),
          unit: "per_s",
        }),
        toRow(proxied, {
          id: "P1",
          figure: "guest-session through Next.js ÷ straight to the authority",
          measured: toPairRatios(proxied, (a, b) => a.perSecond / b.perSecond),
        }),
        toRow(proxied, {
          id: "P1",
          figure: "  authority /v1/guest-session requests/s",
          measured: toPairRatios(proxied, (_a, b) => b.perSecond),
          unit: "per_s",
        }),
      ];
    } finally {
      for (const client of http) await client.close();
      await server.stop();
    }
  },
};
