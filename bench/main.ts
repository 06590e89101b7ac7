/**
 * `npm run bench`: every figure of docs/benchmarks.md as a ratio of two arms measured side
 * by side, then the table. Options: `--only B1,B4`, `--rounds 8`, `--window-ms 2500`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrate } from "../lib/server/db/migrate";
import { createPostgresStore } from "../lib/server/db/testing/stores";
import { startRedisServer } from "../lib/server/testing/cluster-harness";
import { buildBenchApp } from "./app/build";
import { FIGURES } from "./figures";
import type { BenchContext, Row } from "./lib/figure";
import { readCpuSample, toStealShare } from "./lib/steal";
import { toMarkdownTable } from "./lib/table";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rounds: { type: "string", default: "8" },
    "window-ms": { type: "string", default: "2500" },
  },
});
const only = values.only?.split(",").map((s) => s.trim().toUpperCase());
const selected = FIGURES.filter((f) => !only || only.includes(f.id));
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const progress = (message: string) => console.info(`[bench ${elapsed()}] ${message}`);

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  node: process.version,
};
progress(`${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`);

const store = await createPostgresStore();
const setup = await store.open();
await migrate(setup);
await setup.close();
const services: { redis: Awaited<ReturnType<typeof startRedisServer>> | null } = { redis: null };
let appDir: Promise<string> | null = null;

const ctx: BenchContext = {
  databaseUrl: store.url ?? "",
  redisUrl: async () => {
    services.redis ??= await startRedisServer();
    return services.redis.url;
  },
  appDir: () => {
    appDir ??= buildBenchApp(progress);
    return appDir;
  },
  rounds: Number(values.rounds),
  windowMs: Number(values["window-ms"]),
  warmupMs: 2_000,
  progress,
};

const rows: Row[] = [];
const runStart = readCpuSample();
try {
  for (const figure of selected) {
    progress(`${figure.id}: ${figure.title}`);
    try {
      const result = await figure.run(ctx);
      rows.push(...result);
      console.info(toMarkdownTable(result).split("\n").slice(2).join("\n"));
    } catch (error) {
      console.error(`[bench] ${figure.id} failed:`, error);
      rows.push({
        id: figure.id,
        figure: `${figure.title} (failed: ${error instanceof Error ? error.message : error})`,
        measured: { median: Number.NaN, min: Number.NaN, max: Number.NaN },
        goal: "—",
        pass: false,
        rounds: 0,
        steal: Number.NaN,
        stealMaxWindow: Number.NaN,
      });
    }
  }
} finally {
  await services.redis?.stop();
  await store.dispose();
}
const steal = toStealShare(runStart, readCpuSample());
const table = toMarkdownTable(rows);
const summary = `${machine.cores} cores · ${machine.cpu} · Node ${machine.node} · steal over the run ${(steal * 100).toFixed(1)} % · ${elapsed()}`;
mkdirSync(".bench", { recursive: true });
writeFileSync(
  path.join(".bench", "latest.json"),
  JSON.stringify({ machine, steal, at: new Date().toISOString(), rows }, null, 2),
);
console.info(`\n${table}\n\n${summary}`);
