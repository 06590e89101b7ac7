import { PGlite } from "@electric-sql/pglite";
import { MIGRATIONS } from "../migrations";
import type { Db, Queryable } from "../types";

interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<{ rows: unknown[] }[]>;
}

function wrap(target: PgliteLike): Queryable {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      if (params && params.length > 0) return { rows: (await target.query<Row>(sql, params)).rows };
      const results = await target.exec(sql);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
  };
}

/**
 * Test helper: an in-memory PGlite behind the `Db` interface, with every migration
 * applied. Independent of `openDatabase` so realtime tests need no data directory.
 */
export async function createMemoryDb(): Promise<Db> {
  const pglite = new PGlite();
  await pglite.waitReady;
  for (const migration of MIGRATIONS) await pglite.exec(migration.sql);
  const root = wrap(pglite);
  return {
    dialect: "pglite",
    query: root.query,
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    close: () => pglite.close(),
  };
}

/** Test helper: inserts a guest user row (channels reference users). */
export async function insertTestUser(db: Queryable, userId: string): Promise<void> {
  await db.query("INSERT INTO users (id, kind) VALUES ($1, 'guest') ON CONFLICT DO NOTHING", [
    userId,
  ]);
}
