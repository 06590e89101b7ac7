import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import pg from "pg";
import type { Db, Queryable } from "./types";

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL connection string. Unset or empty: embedded PGlite. */
  databaseUrl?: string;
  /** Where PGlite keeps its files (`<dataDir>/pglite`). Unused with `databaseUrl`. */
  dataDir: string;
}

const INT8_OID = 20;

/**
 * int8 (bigint, `count(*)`, sequence columns) as a JS number. Values beyond 2^53 would
 * silently lose precision, so they fail loudly instead.
 */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`db: int8 value ${value} does not fit a JS number; read it as text`);
  }
  return n;
}

type Rows<Row> = { rows: Row[] };

/**
 * Opens the store: PGlite persisted at `<dataDir>/pglite` when `databaseUrl` is unset,
 * otherwise a `pg` pool. Either way `query` without params runs the SQL through the
 * simple protocol (several statements allowed, the last one's rows returned), and with
 * params as one prepared statement.
 *
 * PGlite is one connection in this process only: open it once per process (never from two
 * processes on the same directory), and inside `transaction` use the `tx` handed in, not
 * the `Db`, or the call waits for the transaction that is waiting for it.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(path.join(opts.dataDir, "pglite"));
}

interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<Rows<Row>>;
  exec(sql: string): Promise<Rows<unknown>[]>;
}

function wrapPglite(target: PgliteLike): Queryable {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      if (params && params.length > 0) return { rows: (await target.query<Row>(sql, params)).rows };
      const results = await target.exec(sql);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
  };
}

async function openPglite(dir: string): Promise<Db> {
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir, { parsers: { [pgliteTypes.INT8]: parseInt8 } });
  const root = wrapPglite(pglite);
  return {
    dialect: "pglite",
    query: root.query,
    transaction: (fn) => pglite.transaction((tx) => fn(wrapPglite(tx))),
    close: () => pglite.close(),
  };
}

/** Type parsers for this pool only: int8 as number, everything else as `pg` does by default. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

function wrapPg(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      const result = (await target.query(sql, params)) as unknown as Rows<Row> | Rows<Row>[];
      // A multi-statement simple query answers one result per statement.
      if (Array.isArray(result)) return { rows: result.at(-1)?.rows ?? [] };
      return { rows: result.rows };
    },
  };
}

function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, types: pgTypes });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", (err) => console.error("db: idle PostgreSQL client error:", err.message));
  const root = wrapPg(pool);
  return {
    dialect: "postgres",
    query: root.query,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn(wrapPg(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken = rollbackError as Error; // drop this client rather than reuse it mid-transaction
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
