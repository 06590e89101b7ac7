import { runClosedLoop } from "../lib/closed-loop";
import { atLeast, type Figure, toPairRatios, toRow } from "../lib/figure";
import { createHttpClient } from "../lib/http-client";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import type { BenchGuest } from "../servers/guests";

const CONNECTIONS = 8;

/**
 * B5: GET /api/web/me with a guest's cookie (middleware resolves the identity and signs it,
 * the DAL verifies it) against the bench copy's GET /api/bench/me-unchecked, which answers
 * the same shape with no cookie and so no identity work anywhere.
 */
export const b5: Figure = {
  id: "B5",
  title: "an authenticated route (session check) ÷ the same route without the check",
  async run(ctx) {
    const appDir = await ctx.appDir();
    const server = await startServerProcess("b5-web");
    let client: ReturnType<typeof createHttpClient> | null = null;
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const node = await server.call<{ url: string }>("startFoyer", { nextDir: appDir });
      const guests = await server.call<BenchGuest[]>("createGuests", { count: CONNECTIONS });
      const http = createHttpClient(node.url, CONNECTIONS);
      client = http;
      const arm = (path: string, withCookie: boolean) => async (ms: number) =>
        toLoopMetrics(
          await runClosedLoop(CONNECTIONS, ms, (w) =>
            http.send({
              method: "GET",
              path,
              headers: withCookie ? { cookie: guests[w]!.cookie } : {},
            }),
          ),
        );
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: arm("/api/web/me", true),
        runB: arm("/api/bench/me-unchecked", false),
      });
      ctx.progress("B5: middleware's share (the unchecked route, with the same cookies)");
      const split = await runInterleaved<LoopMetrics>({
        rounds: Math.max(4, Math.floor(ctx.rounds / 2)),
        windowMs: ctx.windowMs,
        warmupMs: 0,
        runA: arm("/api/bench/me-unchecked", true),
        runB: arm("/api/bench/me-unchecked", false),
      });
      const ratio = toPairRatios(run, (a, b) => a.perSecond / b.perSecond);
      const middlewareShare = "  middleware alone: the unchecked route with the cookies ÷ without";
      return [
        toRow(run, {
          id: "B5",
          figure: b5.title,
          measured: ratio,
          goal: "≥ 0.85",
          pass: atLeast(0.85)(ratio),
        }),
        toRow(run, {
          id: "B5",
          figure: "  p50 latency with the check ÷ without",
          measured: toPairRatios(run, (a, b) => a.p50 / b.p50),
        }),
        toRow(run, {
          id: "B5",
          figure: "  authenticated requests/s (8 connections)",
          measured: toPairRatios(run, (a) => a.perSecond),
          unit: "per_s",
        }),
        toRow(split, {
          id: "B5",
          figure: middlewareShare,
          measured: toPairRatios(split, (a, b) => a.perSecond / b.perSecond),
        }),
      ];
    } finally {
      await client?.close();
      await server.stop();
    }
  },
};
