import { runClosedLoop } from "../lib/closed-loop";
import { startCluster } from "../lib/cluster";
import { createDelivery } from "../lib/delivery";
import { atLeast, atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { closeAll, connectMany } from "../lib/sockets";
import type { BenchGuest } from "../servers/guests";

const USERS_PER_ARM = 8;

/**
 * B6: a user's message delivered to the user's other tab, through the same Redis adapter:
 * with both tabs on node A (same node), or the other tab on node B (cross node). Nodes are
 * two processes; each user sends one message at a time and the next once it arrived.
 */
export const b6: Figure = {
  id: "B6",
  title: "cross-node ÷ same-node delivery, same Redis adapter (deliveries/s)",
  async run(ctx) {
    const cluster = await startCluster(ctx, "b6");
    try {
      const guests = await cluster.a.call<BenchGuest[]>("createGuests", {
        count: 2 * USERS_PER_ARM,
      });
      const same = guests.slice(0, USERS_PER_ARM);
      const cross = guests.slice(USERS_PER_ARM);
      const senders = await connectMany(
        cluster.aUrl,
        guests.map((g) => g.token),
      );
      const sameReceivers = await connectMany(
        cluster.aUrl,
        same.map((g) => g.token),
      );
      const crossReceivers = await connectMany(
        cluster.bUrl,
        cross.map((g) => g.token),
      );
      const sameDeliveries = same.map((g, i) =>
        createDelivery(senders[i]!, sameReceivers[i]!, g.userId),
      );
      const crossDeliveries = cross.map((g, i) =>
        createDelivery(senders[USERS_PER_ARM + i]!, crossReceivers[i]!, g.userId),
      );
      const arm = (deliveries: typeof sameDeliveries) => async (ms: number) =>
        toLoopMetrics(await runClosedLoop(USERS_PER_ARM, ms, (w) => deliveries[w]!.send()));
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: arm(crossDeliveries),
        runB: arm(sameDeliveries),
      });
      closeAll([...senders, ...sameReceivers, ...crossReceivers]);
      const ratio = toPairRatios(run, (a, b) => a.perSecond / b.perSecond);
      const p50 = toPairRatios(run, (a, b) => a.p50 / b.p50);
      return [
        toRow(run, {
          id: "B6",
          figure: b6.title,
          measured: ratio,
          goal: "≥ 0.80",
          pass: atLeast(0.8)(ratio),
        }),
        toRow(run, {
          id: "B6",
          figure: "  cross-node p50 ÷ same-node p50",
          measured: p50,
          goal: "≤ 3.5",
          pass: atMost(3.5)(p50),
        }),
        toRow(run, {
          id: "B6",
          figure: "  cross-node deliveries/s (8 users)",
          measured: toPairRatios(run, (a) => a.perSecond),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B6",
          figure: "  cross-node delivery p50",
          measured: toPairRatios(run, (a) => a.p50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B6",
          figure: "  same-node delivery p50",
          measured: toPairRatios(run, (_a, b) => b.p50),
          unit: "ms",
        }),
      ];
    } finally {
      await cluster.stop();
    }
  },
};
