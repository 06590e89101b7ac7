import { atMost, type Figure, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany } from "../lib/sockets";
import type { BenchGuest } from "../servers/guests";

const SOCKETS = 5_000;

interface HeapWindow {
  bytesPerSocket: number;
}

/**
 * B9: the server's heap (after full GCs) with 5,000 open sockets, less the heap before they
 * connected, per socket: 5,000 guests each with its own session on a Foyer node, against
 * as many sockets on a bare Socket.IO server in the same process. A "window" here is one
 * fill, measure and drain of an arm.
 */
export const b9: Figure = {
  id: "B9",
  title: "heap per authenticated socket ÷ bare Socket.IO server, at 5,000 sockets",
  async run(ctx) {
    const server = await startServerProcess("b9-heap");
    try {
      await server.call("openStore", { databaseUrl: ctx.databaseUrl });
      const foyer = await server.call<{ url: string }>("startFoyer", {});
      const bare = await server.call<{ url: string }>("startBareSocketIo");
      ctx.progress(`B9: creating ${SOCKETS} guests`);
      const guests = await server.call<BenchGuest[]>("createGuests", { count: SOCKETS });
      const fill =
        (url: string, tokens: (string | undefined)[]) => async (): Promise<HeapWindow> => {
          const before = await server.call<number>("heapUsed");
          const sockets = await connectMany(url, tokens, 50);
          const after = await server.call<number>("heapUsed");
          closeAll(sockets);
          // Let the server see every close before the next arm measures its baseline.
          await new Promise((resolve) => setTimeout(resolve, 500));
          return { bytesPerSocket: (after - before) / SOCKETS };
        };
      const run = await runInterleaved<HeapWindow>({
        rounds: ctx.rounds,
        windowMs: 0,
        warmupMs: 0,
        runA: fill(
          foyer.url,
          guests.map((g) => g.token),
        ),
        runB: fill(
          bare.url,
          guests.map(() => undefined),
        ),
      });
      const ratio = toPairRatios(run, (a, b) => a.bytesPerSocket / b.bytesPerSocket);
      return [
        toRow(run, {
          id: "B9",
          figure: b9.title,
          measured: ratio,
          goal: "≤ 1.3",
          pass: atMost(1.3)(ratio),
        }),
        toRow(run, {
          id: "B9",
          figure: "  heap per authenticated socket",
          measured: toPairRatios(run, (a) => a.bytesPerSocket),
          unit: "bytes",
        }),
        toRow(run, {
          id: "B9",
          figure: "  heap per bare Socket.IO socket",
          measured: toPairRatios(run, (_a, b) => b.bytesPerSocket),
          unit: "bytes",
        }),
      ];
    } finally {
      await server.stop();
    }
  },
};
