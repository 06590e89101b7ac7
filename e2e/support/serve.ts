/**
 * Starts Foyer for Playwright on an empty data directory, then runs the real entry
 * (`lib/server/main.ts`) in this same process. With `E2E_KEEP_DATA=1` it keeps the
 * directory as it is: a test restarting a server it killed, on the files it left.
 *
 * Why not a `globalSetup`: Playwright starts `webServer` entries before it runs
 * `globalSetup`, so a cleanup there would delete the files of a server already running.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

const dataDir = process.env.FOYER_DATA_DIR ?? "";
if (!/^\.data\/e2e-[a-z0-9-]+$/.test(dataDir)) {
  console.error(
    `e2e/serve: FOYER_DATA_DIR must be .data/e2e-<name>, got "${dataDir}"; refusing to delete it`,
  );
  process.exit(1);
}
if (!existsSync(path.resolve(".next", "BUILD_ID"))) {
  console.error(
    "e2e/serve: no production build in .next; run `npx next build` first (scripts/test.sh does)",
  );
  process.exit(1);
}
if (process.env.E2E_KEEP_DATA !== "1")
  rmSync(path.resolve(dataDir), { recursive: true, force: true });

await import("../../lib/server/main");
