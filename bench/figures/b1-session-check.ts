import { runClosedLoop } from "../lib/closed-loop";
import { atLeast, atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany, emitOk } from "../lib/sockets";
import type { BenchGuest } from "../servers/guests";

const CONNECTIONS = 8;

/**
 * B1: the per-event session check. Two copies of Foyer's gateway in one process, identical
 * but for the baseline's `checkEventSession`, which lets every event through
 * (bench/servers/arms.ts); each of 8 guests keeps a socket on both. The event is `agent:list`, the cheapest successful event (one indexed read), so the check's
 * share is as large as it gets on a real event. Both hear every session change, as a node
 * does; a third copy that does not (a node that lost the bus: a store read before every
 * event) is measured against the unchecked one for an info row.
 */
export const b1: Figure = {
  id: "B1",
  title: "socket round trips/s with the per-event session check ÷ without it",
  async run(ctx) {
    const server = await startServerProcess("b1-gateways");
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const start = (withoutCheck: boolean, receiving: boolean) =>
        server.call<{ url: string }>("startGateway", { withoutCheck, receiving });
      const checked = await start(false, true);
      const unchecked = await start(true, true);
      const degraded = await start(false, false);
      const guests = await server.call<BenchGuest[]>("createGuests", { count: CONNECTIONS });
      const tokens = guests.map((g) => g.token);
      const a = await connectMany(checked.url, tokens);
      const b = await connectMany(unchecked.url, tokens);
      const c = await connectMany(degraded.url, tokens);
      const arm = (sockets: typeof a) => async (ms: number) =>
        toLoopMetrics(
          await runClosedLoop(CONNECTIONS, ms, (w) => emitOk(sockets[w]!, "agent:list", {})),
        );
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: arm(a),
        runB: arm(b),
      });
      ctx.progress("B1: a node that lost the bus (a store read before every event)");
      const busLost = await runInterleaved<LoopMetrics>({
        rounds: Math.max(4, Math.floor(ctx.rounds / 2)),
        windowMs: ctx.windowMs,
        warmupMs: 0,
        runA: arm(c),
        runB: arm(b),
      });
      closeAll([...a, ...b, ...c]);
      const throughput = toPairRatios(run, (x, y) => x.perSecond / y.perSecond);
      const p99 = toPairRatios(run, (x, y) => x.p99 / y.p99);
      return [
        toRow(run, {
          id: "B1",
          figure: b1.title,
          measured: throughput,
          goal: "≥ 0.90",
          pass: atLeast(0.9)(throughput),
        }),
        toRow(run, {
          id: "B1",
          figure: "  p99 latency with the check ÷ without",
          measured: p99,
          goal: "≤ 1.25",
          pass: atMost(1.25)(p99),
        }),
        toRow(run, {
          id: "B1",
          figure: "  round trips/s with the check (8 sockets)",
          measured: toPairRatios(run, (x) => x.perSecond),
          unit: "per_s",
        }),
        toRow(busLost, {
          id: "B1",
          figure: "  bus lost: round trips/s with a store read and the check ÷ without either",
          measured: toPairRatios(busLost, (x, y) => x.perSecond / y.perSecond),
        }),
      ];
    } finally {
      await server.stop();
    }
  },
};
