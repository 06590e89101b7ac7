import { runClosedLoop } from "../lib/closed-loop";
import { atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import { LeanSocket } from "../lib/lean-socket";
import { type LoopMetrics, toLoopMetrics } from "../lib/metrics";
import { startServerProcess } from "../lib/server-process";
import type { BenchGuest } from "../servers/guests";

const GUESTS = 16;
/** Fresh guests for the first-connect rows: each is used for one connect only. */
const FRESH_GUESTS = 3_000;
const FRESH_WINDOW_IN_MS = 600;

/**
 * B7: one client connecting and disconnecting in a loop (WebSocket transport, then the
 * Socket.IO CONNECT and its answer): to a Foyer node (origin check, token verified, the
 * session checked, rooms joined, handlers registered) and to a bare Socket.IO server in the
 * same process. The judged row reconnects sessions the node has seen (a reconnect, another
 * tab, the next page: the node's session table vouches for them); the info rows connect
 * sessions the node has never seen, which must be read from the store.
 */
export const b7: Figure = {
  id: "B7",
  title: "authenticated socket connect ÷ bare Socket.IO WebSocket connect (p50)",
  async run(ctx) {
    const server = await startServerProcess("b7-connect");
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const foyer = await server.call<{ url: string }>("startFoyer", {});
      const bare = await server.call<{ url: string }>("startBareSocketIo");
      const guests = await server.call<BenchGuest[]>("createGuests", { count: GUESTS });
      const connectOnce = (url: string, token?: string) => async () => {
        const socket = await LeanSocket.connect(url, token ? { auth: { token } } : {});
        socket.close();
      };
      let turn = 0;
      const arm = (url: string, authenticated: boolean) => async (ms: number) =>
        toLoopMetrics(
          await runClosedLoop(1, ms, () =>
            connectOnce(url, authenticated ? guests[turn++ % GUESTS]!.token : undefined)(),
          ),
        );
      const run = await runInterleaved<LoopMetrics>({
        rounds: ctx.rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: arm(foyer.url, true),
        runB: arm(bare.url, false),
      });
      ctx.progress("B7: first connects of sessions the node has never seen");
      const fresh = await server.call<BenchGuest[]>("createGuests", { count: FRESH_GUESTS });
      let next = 0;
      const first = await runInterleaved<LoopMetrics>({
        rounds: Math.max(4, Math.floor(ctx.rounds / 2)),
        windowMs: FRESH_WINDOW_IN_MS,
        warmupMs: 0,
        runA: async (ms) =>
          toLoopMetrics(
            await runClosedLoop(1, ms, () => {
              const guest = fresh[next++];
              if (!guest) throw new Error("B7: out of fresh guests");
              return connectOnce(foyer.url, guest.token)();
            }),
          ),
        runB: arm(bare.url, false),
      });
      const ratio = toPairRatios(run, (a, b) => a.p50 / b.p50);
      const known = "  authenticated connect p50 (a session the node knows)";
      const newcomer = "  first connect of a session new to the node ÷ bare (p50)";
      return [
        toRow(run, {
          id: "B7",
          figure: b7.title,
          measured: ratio,
          goal: "≤ 1.5",
          pass: atMost(1.5)(ratio),
        }),
        toRow(run, {
          id: "B7",
          figure: known,
          measured: toPairRatios(run, (a) => a.p50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B7",
          figure: "  bare Socket.IO connect p50",
          measured: toPairRatios(run, (_a, b) => b.p50),
          unit: "ms",
        }),
        toRow(first, {
          id: "B7",
          figure: newcomer,
          measured: toPairRatios(first, (a, b) => a.p50 / b.p50),
        }),
        toRow(first, {
          id: "B7",
          figure: "  first connect p50",
          measured: toPairRatios(first, (a) => a.p50),
          unit: "ms",
        }),
      ];
    } finally {
      await server.stop();
    }
  },
};
