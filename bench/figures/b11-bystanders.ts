import { toDirectChannel } from "../../lib/shared/realtime/channels";
import { runClosedLoop } from "../lib/closed-loop";
import { atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { createHttpClient, type HttpClient } from "../lib/http-client";
import { runInterleaved } from "../lib/interleave";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany, emitOk } from "../lib/sockets";
import { quantile } from "../lib/stats";
import type { BenchGuest } from "../servers/guests";

/** Other users, each sending at a person's pace (inside the per-socket budget of 2/s). */
const BYSTANDERS = 16;
const BYSTANDER_PERIOD_IN_MS = 700;
const ROUTE_CONNECTIONS = 2;
/** The flooding guest's sockets, each sending as fast as its acks come back. */
const FLOOD_SOCKETS = 8;

interface BystanderWindow {
  messageP99: number;
  routeP99: number;
  floodAccepted: number;
  floodRefused: number;
  floodReconnects: number;
}

/** Each worker runs `op` once per `periodMs` (never two at once) for `ms`; the latencies. */
async function runPaced(
  workers: number,
  periodMs: number,
  ms: number,
  op: (worker: number, iteration: number) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      // Spread the workers over the period, so the load is even.
      await new Promise((resolve) => setTimeout(resolve, (periodMs * w) / workers));
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await op(w, i);
        const took = performance.now() - t0;
        latencies.push(took);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - took)));
      }
    }),
  );
  return latencies;
}

/**
 * B11: what a flood costs everyone else. A node with the production limits; one guest floods
 * `message:send` from 8 sockets in a process of its own, as fast as its acks come back (its
 * budget refuses most of it, and a socket that does not wait is disconnected: the script
 * reconnects at once). Meanwhile 16 other guests send at a person's pace and one of
 * them reads GET /api/web/me in a closed loop. Their p99s against the same node unflooded.
 */
export const b11: Figure = {
  id: "B11",
  title: "bystanders' message p99 while one guest floods ÷ idle",
  async run(ctx) {
    const appDir = await ctx.appDir();
    const server = await startServerProcess("b11-web");
    const flooder = await startServerProcess("b11-flooder");
    let http: HttpClient | null = null;
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const node = await server.call<{ url: string }>("startFoyer", {
        nextDir: appDir,
        productionLimits: true,
      });
      const guests = await server.call<BenchGuest[]>("createGuests", { count: BYSTANDERS + 1 });
      const [flooding, ...bystanders] = guests as [BenchGuest, ...BenchGuest[]];
      const sockets = await connectMany(
        node.url,
        bystanders.map((g) => g.token),
      );
      const client = createHttpClient(node.url, ROUTE_CONNECTIONS);
      http = client;
      const measure = async (ms: number) => {
        const [messages, route] = await Promise.all([
          runPaced(BYSTANDERS, BYSTANDER_PERIOD_IN_MS, ms, (w, i) =>
            emitOk(sockets[w]!, "message:send", {
              channel: toDirectChannel(bystanders[w]!.userId, "concierge"),
              clientMessageId: `b11_${w}_${i}_${Date.now()}`,
              body: "hello",
            }),
          ),
          runClosedLoop(ROUTE_CONNECTIONS, ms, () =>
            client.send({
              method: "GET",
              path: "/api/web/me",
              headers: { cookie: bystanders[0]!.cookie },
            }),
          ),
        ]);
        return {
          messageP99: quantile(messages, 0.99),
          routeP99: quantile(route.latenciesMs, 0.99),
        };
      };
      const run = await runInterleaved<BystanderWindow>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: async (ms) => {
          const [seen, flood] = await Promise.all([
            measure(ms),
            flooder.call<{
              accepted: number;
              refused: number;
              reconnects: number;
              seconds: number;
            }>("floodSends", {
              url: node.url,
              token: flooding.token,
              channel: toDirectChannel(flooding.userId, "concierge"),
              sockets: FLOOD_SOCKETS,
              ms,
            }),
          ]);
          return {
            ...seen,
            floodAccepted: flood.accepted / flood.seconds,
            floodRefused: flood.refused / flood.seconds,
            floodReconnects: flood.reconnects / flood.seconds,
          };
        },
        runB: async (ms) => ({
          ...(await measure(ms)),
          floodAccepted: 0,
          floodRefused: 0,
          floodReconnects: 0,
        }),
      });
      closeAll(sockets);
      const messages = toPairRatios(run, (a, b) => a.messageP99 / b.messageP99);
      const route = toPairRatios(run, (a, b) => a.routeP99 / b.routeP99);
      return [
        toRow(run, {
          id: "B11",
          figure: b11.title,
          measured: messages,
          goal: "≤ 2.0",
          pass: atMost(2)(messages),
        }),
        toRow(run, {
          id: "B11",
          figure: "  bystander's GET /api/web/me p99 while one guest floods ÷ idle",
          measured: route,
          goal: "≤ 2.0",
          pass: atMost(2)(route),
        }),
        toRow(run, {
          id: "B11",
          figure: "  bystanders' message p99 idle",
          measured: toPairRatios(run, (_a, b) => b.messageP99),
          unit: "ms",
        }),
        toRow(run, {
          id: "B11",
          figure: "  flood: sends accepted per second (the guest's budget)",
          measured: toPairRatios(run, (a) => a.floodAccepted),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B11",
          figure: "  flood: sends refused per second (rate_limited:socket)",
          measured: toPairRatios(run, (a) => a.floodRefused),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B11",
          figure: "  flood: reconnects per second (disconnected for not waiting)",
          measured: toPairRatios(run, (a) => a.floodReconnects),
          unit: "per_s",
        }),
      ];
    } finally {
      await http?.close();
      await Promise.all([server.stop(), flooder.stop()]);
    }
  },
};
