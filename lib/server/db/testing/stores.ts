import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../open";
import type { Db } from "../types";

/**
 * Test stores: a PGlite directory, or a fresh schema on the machine's PostgreSQL
 * (`FOYER_TEST_DATABASE_URL`). Tests using PostgreSQL fail, never skip, when it is down.
 */
export const POSTGRES_URL =
  process.env.FOYER_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A database for one suite: `open()` may be called again for a second handle on the same store. */
export interface TestStore {
  open(): Promise<Db>;
  /** PostgreSQL only: the connection string (with the schema as search_path). */
  url?: string;
  dispose(): Promise<void>;
}

export async function createPgliteStore(): Promise<TestStore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "foyer-store-"));
  return {
    open: () => openDatabase({ dataDir }),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** A fresh schema on the test PostgreSQL; fails (never skips) when PostgreSQL is unreachable. */
export async function createPostgresStore(): Promise<TestStore> {
  const schema = `foyer_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    open: () => openDatabase({ databaseUrl: url.toString(), dataDir: "/nonexistent" }),
    async dispose() {
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
