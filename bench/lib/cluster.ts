import type { BenchContext } from "./figure";
import { type ServerProcess, startServerProcess } from "./server-process";

/** Two Foyer nodes in two processes on the bench's PostgreSQL schema and its own Redis. */
export interface BenchCluster {
  a: ServerProcess;
  b: ServerProcess;
  aUrl: string;
  bUrl: string;
  aAuthorityUrl: string;
  stop(): Promise<void>;
}

export async function startCluster(
  ctx: BenchContext,
  name: string,
  options: { observeB?: boolean } = {},
): Promise<BenchCluster> {
  const redisUrl = await ctx.redisUrl();
  const [a, b] = await Promise.all([
    startServerProcess(`${name}-node-a`),
    startServerProcess(`${name}-node-b`),
  ]);
  try {
    await Promise.all([a, b].map((p) => p.call("openStore", { databaseUrl: ctx.databaseUrl })));
    const nodeA = await a.call<{ url: string; authorityUrl: string }>("startFoyer", { redisUrl });
    const nodeB = await b.call<{ url: string }>("startFoyer", {
      redisUrl,
      observe: options.observeB,
    });
    return {
      a,
      b,
      aUrl: nodeA.url,
      bUrl: nodeB.url,
      aAuthorityUrl: nodeA.authorityUrl,
      async stop() {
        await Promise.all([a.stop(), b.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([a.stop(), b.stop()]);
    throw error;
  }
}
