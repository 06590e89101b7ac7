/**
 * A real Foyer node (no Next.js handler) in a process of its own, for tests that kill it:
 * `node --import tsx lib/server/testing/node-process-entry.ts`, started by node-process.ts.
 * Configured by the environment:
 *
 * - `DATABASE_URL` (a PostgreSQL schema URL) or `FOYER_DATA_DIR` (a PGlite directory);
 * - `REDIS_URL` (optional: the bus to the other nodes);
 * - `PORT` (0: a free one; a restart on the same port passes the old one);
 * - `FOYER_PACED_COUNT`, `FOYER_PACED_FIRST_MS`, `FOYER_PACED_GAP_MS`: the paced agent;
 * - `FOYER_SHUTDOWN_GRACE_MS`: how long a SIGTERM lets running answers go on.
 *
 * Test secrets, unlimited socket budgets, daily caps and guest creation. It migrates,
 * starts, and prints one JSON line `{"url", "authorityUrl", "nodeId"}` on stdout; its log
 * lines go to stderr, one JSON object each.
 */
import { createAgentRegistry } from "../agents/registry";
import { createPacedAgent } from "../agents/testing/paced-agent";
import { NO_AUTHORITY_LIMITS, TEST_SECRETS } from "../authority/testing/authority-harness";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/open";
import { startFoyerNode } from "../node/start-foyer-node";
import { UNLIMITED_SOCKET_BUDGETS } from "../realtime/budgets";
import { UNLIMITED_DAILY_CAPS } from "../realtime/daily-caps";

function readNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const dataDir = process.env.FOYER_DATA_DIR || undefined;
  if (!databaseUrl && !dataDir) throw new Error("set DATABASE_URL or FOYER_DATA_DIR");
  const graceInMs = readNumber("FOYER_SHUTDOWN_GRACE_MS", 1_000);
  const db = await openDatabase({ databaseUrl, dataDir: dataDir ?? "/nonexistent" });
  await migrate(db);
  const log = (event: string, fields: Record<string, unknown>) =>
    process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
  const node = await startFoyerNode({
    db,
    secrets: TEST_SECRETS,
    port: readNumber("PORT", 0),
    host: "127.0.0.1",
    redisUrl: process.env.REDIS_URL || undefined,
    publicOrigins: [],
    agents: createAgentRegistry([
      createPacedAgent({
        count: readNumber("FOYER_PACED_COUNT", 100),
        firstMs: readNumber("FOYER_PACED_FIRST_MS", 50),
        gapMs: readNumber("FOYER_PACED_GAP_MS", 50),
      }),
    ]),
    authorityLimits: { guestCreation: NO_AUTHORITY_LIMITS.guestCreation },
    budgets: UNLIMITED_SOCKET_BUDGETS,
    dailyCaps: UNLIMITED_DAILY_CAPS,
    log,
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    try {
      // As main.ts: SIGTERM drains (running answers get the grace, then end interrupted).
      await node.close(signal === "SIGTERM" ? graceInMs : 0);
      await db.close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(
        `node-process-entry: stop failed: ${error instanceof Error ? error.stack : error}\n`,
      );
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // The parent went away without killing this process: do not outlive it.
  process.stdin.on("end", () => void shutdown("stdin"));
  process.stdin.resume();
  process.stdout.write(
    `${JSON.stringify({ url: node.url, authorityUrl: node.authorityUrl, nodeId: node.gateway.nodeId })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`node-process-entry: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
