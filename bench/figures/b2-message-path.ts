import { toEchoFrame, toSendPayload } from "../lib/chat";
import { runClosedLoop } from "../lib/closed-loop";
import { atLeast, type Figure, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany, emitOk } from "../lib/sockets";
import { connectEcho } from "../lib/ws-echo-client";
import type { BenchGuest } from "../servers/guests";

const CONNECTIONS = 8;

/**
 * B2: Foyer's whole message path — the per-event check, validation, the participant check,
 * the write with its sequence, the push to the user's room and the ack — against a raw `ws`
 * server echoing the same bytes, in one process, both reached over loopback WebSockets.
 * Every message is stored in PostgreSQL before its ack, and the Concierge answers it (as
 * the product does in every channel). The floor rows show why 0.40 cannot be met on this
 * machine: one bare INSERT per message, with nothing else, already sits far below it.
 */
export const b2: Figure = {
  id: "B2",
  title: "Foyer's message path (check, validate, persist, room emit) ÷ raw ws echo",
  async run(ctx) {
    const server = await startServerProcess("b2-messages");
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const foyer = await server.call<{ url: string }>("startFoyer", {});
      const echo = await server.call<{ url: string }>("startWsEcho");
      const guests = await server.call<BenchGuest[]>("createGuests", { count: CONNECTIONS });
      const sockets = await connectMany(
        foyer.url,
        guests.map((g) => g.token),
      );
      const echoes = await Promise.all(guests.map(() => connectEcho(echo.url)));
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: async (ms) =>
          toLoopMetrics(
            await runClosedLoop(CONNECTIONS, ms, (w) =>
              emitOk(sockets[w]!, "message:send", toSendPayload(guests[w]!.userId)),
            ),
          ),
        runB: async (ms) =>
          toLoopMetrics(
            await runClosedLoop(CONNECTIONS, ms, (w) =>
              echoes[w]!.roundTrip(toEchoFrame(guests[w]!.userId)),
            ),
          ),
      });
      ctx.progress("B2: floor, one PostgreSQL INSERT per message ÷ raw ws echo");
      const echoArm = async (ms: number) =>
        toLoopMetrics(
          await runClosedLoop(CONNECTIONS, ms, (w) =>
            echoes[w]!.roundTrip(toEchoFrame(guests[w]!.userId)),
          ),
        );
      const floor = await runInterleaved<LoopMetrics>({
        rounds: Math.max(4, Math.floor(ctx.rounds / 2)),
        windowMs: ctx.windowMs,
        warmupMs: 0,
        runA: (ms) => server.call<LoopMetrics>("insertLoop", { workers: CONNECTIONS, ms }),
        runB: echoArm,
      });
      closeAll(sockets);
      for (const e of echoes) e.close();
      const ratio = toPairRatios(run, (a, b) => a.perSecond / b.perSecond);
      const perSecond = (m: LoopMetrics) => m.perSecond;
      return [
        toRow(run, {
          id: "B2",
          figure: b2.title,
          measured: ratio,
          goal: "≥ 0.40",
          pass: atLeast(0.4)(ratio),
        }),
        toRow(run, {
          id: "B2",
          figure: "  messages/s per node (8 senders, PostgreSQL, Concierge answering)",
          measured: toPairRatios(run, perSecond),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B2",
          figure: "  raw ws echoes/s",
          measured: toPairRatios(run, (_a, b) => b.perSecond),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B2",
          figure: "  message p50 latency (8 senders)",
          measured: toPairRatios(run, (a) => a.p50),
          unit: "ms",
        }),
        toRow(floor, {
          id: "B2",
          figure: "  floor: one PostgreSQL INSERT per message ÷ raw ws echo",
          measured: toPairRatios(floor, (a, b) => a.perSecond / b.perSecond),
        }),
        toRow(floor, {
          id: "B2",
          figure: "  floor: PostgreSQL INSERTs/s (8 connections)",
          measured: toPairRatios(floor, perSecond),
          unit: "per_s",
        }),
      ];
    } finally {
      await server.stop();
    }
  },
};
