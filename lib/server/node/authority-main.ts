import { readAuthorityLimits } from "../authority/limits/authority-limits";
import { createRedisLimitStore } from "../authority/limits/limiter-store";
import { startAuthorityServer } from "../authority/router";
import { ConfigError, getDataDir, loadSecrets } from "../common/env";
import { log } from "../common/log";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/open";
import { liveNodeIds } from "../store/gateway-nodes";
import { createGatewayLink } from "./gateway-link";

/** Default port of a stand-alone authority (`npm run start:authority`). */
export const DEFAULT_AUTHORITY_PORT = 3001;

function readPort(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_AUTHORITY_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`authority: FOYER_AUTHORITY_PORT must be a port number, got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const secrets = loadSecrets();
  const port = readPort(process.env.FOYER_AUTHORITY_PORT);
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: getDataDir() });
  await migrate(db);
  const link = await createGatewayLink(process.env.REDIS_URL || undefined, log, {
    expectedNodes: () => liveNodeIds(db),
  });
  // With the nodes' Redis, this authority's limits count together with theirs.
  const limitStore = process.env.REDIS_URL
    ? await createRedisLimitStore(process.env.REDIS_URL, log)
    : null;
  const running = await startAuthorityServer({
    db,
    secrets,
    limits: readAuthorityLimits(),
    limitStore: limitStore?.store,
    port,
    onSessionChanged: (change) => link.announce(change),
    log,
  });
  console.info(`authority: listening on ${running.url} (store: ${db.dialect})`);
  const stop = async () => {
    await running.close();
    await limitStore?.close();
    await link.close();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error("authority: failed to start:", err);
  }
  process.exit(1);
});
