import { defineConfig } from "@playwright/test";
import { writeE2EAgentsFile } from "./e2e/fixtures/agents-file";
import {
  BASE_URL,
  brokenServerEnv,
  E2E_BROKEN_PORT,
  E2E_FAKE_OPENAI_PORT,
  E2E_PORT,
  FAKE_OPENAI_ORIGIN,
  mainServerEnv,
} from "./e2e/fixtures/env";
import { FAKE_RECORDS_PATH } from "./lib/server/agents/testing/fake-openai-server";

/** Started by each Foyer webServer entry; it empties the server's data directory first. */
const SERVE = "node --import tsx e2e/support/serve.ts";
/** The fake OpenAI server's command line: the model behind the run's model agents. */
const FAKE_OPENAI = "node --import tsx lib/server/agents/testing/fake-openai-server.ts";
const SERVER_START_TIMEOUT_IN_MS = 120_000;

// Before any server starts: the main server reads it at start (FOYER_AGENTS_FILE).
writeE2EAgentsFile(E2E_FAKE_OPENAI_PORT);

/**
 * Playwright in Debian's Chromium (never a downloaded browser build), one worker on the
 * 2-core machines we run on. Needs a production build (`npx next build`) first.
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: "list",
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results",
  use: {
    browserName: "chromium",
    baseURL: BASE_URL,
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: [
    {
      name: "fake-openai",
      command: FAKE_OPENAI,
      env: { FAKE_OPENAI_PORT: String(E2E_FAKE_OPENAI_PORT) },
      // Its record list: answering it does not add a record, as a poll of /v1/models would.
      url: `${FAKE_OPENAI_ORIGIN}${FAKE_RECORDS_PATH}`,
      reuseExistingServer: false,
      timeout: SERVER_START_TIMEOUT_IN_MS,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      name: "foyer",
      command: SERVE,
      env: mainServerEnv,
      url: `http://127.0.0.1:${E2E_PORT}/api/health`,
      reuseExistingServer: false,
      timeout: SERVER_START_TIMEOUT_IN_MS,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      name: "foyer-broken-upstream",
      command: SERVE,
      env: brokenServerEnv,
      url: `http://127.0.0.1:${E2E_BROKEN_PORT}/api/health`,
      reuseExistingServer: false,
      timeout: SERVER_START_TIMEOUT_IN_MS,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
