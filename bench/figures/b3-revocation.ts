import { INTERNAL_HEADERS } from "../../lib/server/authority/testing/authority-harness";
import { monoMs } from "../lib/clock";
import { runClosedLoop } from "../lib/closed-loop";
import { type BenchCluster, startCluster } from "../lib/cluster";
import { createDelivery } from "../lib/delivery";
import { atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { createHttpClient, type HttpClient } from "../lib/http-client";
import { runInterleaved } from "../lib/interleave";
import { LeanSocket } from "../lib/lean-socket";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { quantile } from "../lib/stats";
import type { BenchGuest } from "../servers/guests";

const FRESH_GUESTS = 2_500;
const PIPELINED_REVOKES = 8;
const PIPELINE = 300;

const revoke = (authority: HttpClient, sessionId: string) =>
  authority.send({
    method: "POST",
    path: `/v1/sessions/${sessionId}/revoke`,
    headers: { "content-type": "application/json", ...INTERNAL_HEADERS },
    body: "{}",
  });

/**
 * Sends `PIPELINE` events from a socket on node B without waiting, revokes its session on
 * node A's authority a third of the way in, and counts the events B accepted after the
 * revoke answered (A logs the answer just before writing it; B times every check; both on
 * the machine's monotonic clock).
 */
async function acceptedAfterAnswer(
  cluster: BenchCluster,
  authority: HttpClient,
  guest: BenchGuest,
) {
  const socket = await LeanSocket.connect(cluster.bUrl, { auth: { token: guest.token } });
  const acks: Promise<unknown>[] = [];
  let answered: Promise<unknown> | null = null;
  for (let i = 0; i < PIPELINE; i++) {
    acks.push(socket.emitWithAck("agent:list", {}).catch(() => null));
    if (i === PIPELINE / 3) answered = revoke(authority, guest.sessionId);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await answered;
  await Promise.race([Promise.allSettled(acks), new Promise((r) => setTimeout(r, 3_000))]);
  socket.close();
  const answeredAt = await cluster.a.call<number | null>("loggedAt", {
    event: "session.revoked",
    sessionId: guest.sessionId,
  });
  const checks = await cluster.b.call<{ accepted: boolean; at: number }[]>("checksOf", {
    sessionId: guest.sessionId,
  });
  if (answeredAt === null) throw new Error("B3: the revoke was not logged");
  const accepted = checks.filter((c) => c.accepted);
  // A pipeline that never reached B would prove nothing.
  if (accepted.length === 0) throw new Error("B3: node B accepted no event before the revoke");
  return accepted.filter((c) => c.at >= answeredAt).length;
}

/**
 * B3: a revoke answered by node A's authority against the moment node B refuses the
 * session (its socket on B is told `session:revoked` as B applies the change, before A
 * answers), compared with a message relayed from A to a tab on B (the same bus hop).
 */
export const b3: Figure = {
  id: "B3",
  title: "revoke-to-reject on the other node ÷ cross-node relay (p50)",
  async run(ctx) {
    const cluster = await startCluster(ctx, "b3", { observeB: true });
    const authority = createHttpClient(cluster.aAuthorityUrl, 2);
    try {
      const [relayUser, ...fresh] = await cluster.a.call<BenchGuest[]>("createGuests", {
        count: FRESH_GUESTS + PIPELINED_REVOKES + 1,
      });
      if (!relayUser) throw new Error("B3: no guests");
      const sender = await LeanSocket.connect(cluster.aUrl, { auth: { token: relayUser.token } });
      const receiver = await LeanSocket.connect(cluster.bUrl, { auth: { token: relayUser.token } });
      const relay = createDelivery(sender, receiver, relayUser.userId);
      const pipelined = fresh.splice(0, PIPELINED_REVOKES);
      const revokeArm = async (ms: number): Promise<LoopMetrics> => {
        const times: number[] = [];
        const loop = await runClosedLoop(1, ms, async () => {
          const guest = fresh.pop();
          if (!guest) throw new Error("B3: out of fresh guests");
          const socket = await LeanSocket.connect(cluster.bUrl, { auth: { token: guest.token } });
          const rejected = socket.next("session:revoked");
          const t0 = monoMs();
          const answer = revoke(authority, guest.sessionId);
          await rejected;
          times.push(monoMs() - t0);
          await answer;
          socket.close();
        });
        const metrics = toLoopMetrics(loop);
        return { ...metrics, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
      };
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: revokeArm,
        runB: async (ms) => toLoopMetrics(await runClosedLoop(1, ms, () => relay.send())),
      });
      ctx.progress(`B3: ${PIPELINED_REVOKES} pipelined revocations`);
      let after = 0;
      for (const guest of pipelined) after += await acceptedAfterAnswer(cluster, authority, guest);
      sender.close();
      receiver.close();
      const ratio = toPairRatios(run, (a, b) => a.p50 / b.p50);
      const accepted = { median: after, min: after, max: after };
      return [
        toRow(run, {
          id: "B3",
          figure: b3.title,
          measured: ratio,
          goal: "≤ 2.0",
          pass: atMost(2)(ratio),
        }),
        toRow(run, {
          id: "B3",
          figure: `  events accepted on B after the answer (${PIPELINED_REVOKES} revokes × ${PIPELINE} pipelined)`,
          measured: accepted,
          unit: "count",
          goal: "0",
          pass: after === 0,
        }),
        toRow(run, {
          id: "B3",
          figure: "  revoke-to-reject p50 (other node)",
          measured: toPairRatios(run, (a) => a.p50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B3",
          figure: "  cross-node relay p50",
          measured: toPairRatios(run, (_a, b) => b.p50),
          unit: "ms",
        }),
      ];
    } finally {
      await authority.close();
      await cluster.stop();
    }
  },
};
