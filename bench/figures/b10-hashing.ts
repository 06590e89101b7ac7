import { runClosedLoop } from "../lib/closed-loop";
import { atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { createHttpClient, type HttpClient } from "../lib/http-client";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany, emitOk } from "../lib/sockets";
import type { BenchGuest } from "../servers/guests";

const SOCKETS = 2;
const SIGN_INS_PER_SECOND = 8;
const MEMBER = { email: "bench-member@example.test", password: "correct horse battery staple" };

interface HashingWindow extends LoopMetrics {
  signIns: number;
}

/**
 * B10: socket round trips (`agent:list`, 2 sockets, closed loop) on a node whose authority
 * is signing a member in 8 times per second (argon2id, m=19 MiB, t=2), against the same
 * node idle. The sign-ins come from a process of their own, so the echo clients measure
 * the server and nothing else.
 */
export const b10: Figure = {
  id: "B10",
  title: "echo p99 while sign-ins hash passwords (8/s) ÷ echo p99 idle",
  async run(ctx) {
    const server = await startServerProcess("b10-hashing");
    const driver = await startServerProcess("b10-sign-ins");
    let authority: HttpClient | null = null;
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const node = await server.call<{ url: string; authorityUrl: string }>("startFoyer", {});
      const http = createHttpClient(node.authorityUrl, 16);
      authority = http;
      await http.send({
        method: "POST",
        path: "/v1/auth/sign-up",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(MEMBER),
      });
      const guests = await server.call<BenchGuest[]>("createGuests", { count: SOCKETS });
      const sockets = await connectMany(
        node.url,
        guests.map((g) => g.token),
      );
      const echo = (ms: number) =>
        runClosedLoop(SOCKETS, ms, (w) => emitOk(sockets[w]!, "agent:list", {}));
      const run = await runInterleaved<HashingWindow>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: async (ms) => {
          const [loop, signIns] = await Promise.all([
            echo(ms),
            driver.call<number>("postAtRate", {
              url: `${node.authorityUrl}/v1/auth/sign-in`,
              body: JSON.stringify(MEMBER),
              perSecond: SIGN_INS_PER_SECOND,
              ms,
            }),
          ]);
          return { ...toLoopMetrics(loop), signIns: signIns / (ms / 1000) };
        },
        runB: async (ms) => ({ ...toLoopMetrics(await echo(ms)), signIns: 0 }),
      });
      closeAll(sockets);
      const ratio = toPairRatios(run, (a, b) => a.p99 / b.p99);
      return [
        toRow(run, {
          id: "B10",
          figure: b10.title,
          measured: ratio,
          goal: "≤ 1.5",
          pass: atMost(1.5)(ratio),
        }),
        toRow(run, {
          id: "B10",
          figure: "  echo p99 while hashing",
          measured: toPairRatios(run, (a) => a.p99),
          unit: "ms",
        }),
        toRow(run, {
          id: "B10",
          figure: "  echo p99 idle",
          measured: toPairRatios(run, (_a, b) => b.p99),
          unit: "ms",
        }),
        toRow(run, {
          id: "B10",
          figure: "  sign-ins completed per second",
          measured: toPairRatios(run, (a) => a.signIns),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B10",
          figure: "  echoes/s while hashing ÷ idle",
          measured: toPairRatios(run, (a, b) => a.perSecond / b.perSecond),
        }),
      ];
    } finally {
      await authority?.close();
      await Promise.all([server.stop(), driver.stop()]);
    }
  },
};
