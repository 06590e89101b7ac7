/**
 * Foyer's process entry: one node (see node.ts) with Next.js as its request handler.
 * Process singletons (database, gateway, bus) are created here, once.
 */

import { readFileSync } from "node:fs";
import next from "next";
import { AgentsConfigError, loadAgents } from "./agents/config";
import { readAuthorityLimits } from "./authority/limits/authority-limits";
import { ConfigError, getDataDir, loadSecrets, requirePublicOrigins } from "./common/env";
import { log } from "./common/log";
import { migrate } from "./db/migrate";
import { openDatabase } from "./db/open";
import { readGuestPurgeOptions } from "./jobs/purge-guests";
import { startFoyerNode } from "./node/start-foyer-node";
import { readSocketBudgets } from "./realtime/budgets";
import { readMaxRunningAnswers } from "./realtime/context";
import { readDailyCaps } from "./realtime/daily-caps";
import { withCompleteRequestBodies } from "./web/complete-request-bodies";

/** How long a SIGTERM lets the node answer what it took and finish agent replies. */
const DEFAULT_SHUTDOWN_GRACE_IN_MS = 10_000;
const SHUTDOWN_GRACE_MAX_IN_MS = 10 * 60_000;

function readShutdownGrace(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_SHUTDOWN_GRACE_IN_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > SHUTDOWN_GRACE_MAX_IN_MS) {
    throw new ConfigError(
      `env: FOYER_SHUTDOWN_GRACE_MS must be whole milliseconds from 0 to ${SHUTDOWN_GRACE_MAX_IN_MS}, got "${raw}"`,
    );
  }
  return value;
}

async function main(): Promise<void> {
  const dev = process.env.NODE_ENV === "development";
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const secrets = loadSecrets();
  const purge = readGuestPurgeOptions();
  const authorityLimits = readAuthorityLimits();
  const budgets = readSocketBudgets();
  const dailyCaps = readDailyCaps();
  const maxRunningAnswers = readMaxRunningAnswers();
  // Validated before anything starts: a bad agents file names its field and stops the start.
  const agents = loadAgents({
    env: process.env,
    projectRoot: process.cwd(),
    readFile: (file) => readFileSync(file, "utf8"),
  });
  log("agents.loaded", { source: agents.source, agents: agents.registry.list().length });
  const shutdownGraceInMs = readShutdownGrace(process.env.FOYER_SHUTDOWN_GRACE_MS);
  // Outside local mode the origin browsers use must be named (DNS rebinding, docs/design.md S3).
  const publicOrigins = requirePublicOrigins();
  // Route handlers and middleware run in this process and read secrets from the environment.
  Object.assign(process.env, secrets);

  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: getDataDir() });
  await migrate(db);

  const node = await startFoyerNode({
    db,
    secrets,
    port,
    host,
    authorityUrl: process.env.FOYER_AUTHORITY_URL || undefined,
    authorityPort: Number(process.env.FOYER_AUTHORITY_PORT ?? 0),
    authorityLimits,
    redisUrl: process.env.REDIS_URL || undefined,
    publicOrigins,
    trustedProxies: process.env.FOYER_TRUSTED_PROXIES,
    purge,
    budgets,
    dailyCaps,
    maxRunningAnswers,
    agents: agents.registry,
    log,
    async createRequestHandler(authorityUrl) {
      // Route handlers reach the authority through this variable.
      process.env.FOYER_AUTHORITY_URL = authorityUrl;
      const app = next({ dev, dir: process.cwd(), hostname: host, port });
      await app.prepare();
      const handle = app.getRequestHandler();
      // Next.js sees only whole bodies: an aborted one would leave it an unhandled rejection.
      return withCompleteRequestBodies((req, res) => {
        handle(req, res).catch((error: unknown) =>
          log("server.request_failed", {
            path: req.url?.split("?")[0],
            error: error instanceof Error ? error.message : "unknown",
          }),
        );
      });
    },
  });

  const shown = host === "127.0.0.1" || host === "0.0.0.0" ? "localhost" : host;
  log("server.started", {
    url: `http://${shown}:${port}`,
    store: db.dialect,
    bus: process.env.REDIS_URL ? "redis" : "in-memory",
  });
  console.info(`Foyer is running at http://${shown}:${port}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      log("server.stop_forced", { signal });
      process.exit(1);
    }
    closing = true;
    log("server.stopping", { signal, graceMs: shutdownGraceInMs });
    try {
      // SIGTERM (a deploy, a scale-down) drains; a second signal or SIGINT stops at once.
      await node.close(signal === "SIGTERM" ? shutdownGraceInMs : 0);
      await db.close();
      process.exit(0);
    } catch (error) {
      log("server.stop_failed", { error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AgentsConfigError) {
    console.error(`Foyer cannot start: ${error.message}`);
  } else {
    console.error("Foyer failed to start:", error);
  }
  process.exit(1);
});
