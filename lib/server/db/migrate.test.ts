import { describe, expect, it } from "vitest";
import { migrate } from "./migrate";
import type { Db, Queryable } from "./types";

/** A Db that records statements and knows which migrations were applied. */
function fakeDb(applied: number[] = []) {
  const statements: string[] = [];
  const tx: Queryable = {
    async query<Row>(sql: string, params?: unknown[]) {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(" "));
      if (sql.startsWith("SELECT 1 FROM schema_migrations")) {
        return { rows: (applied.includes(params?.[0] as number) ? [{}] : []) as Row[] };
      }
      if (sql.startsWith("INSERT INTO schema_migrations")) applied.push(params?.[0] as number);
      return { rows: [] };
    },
  };
  const db: Db = {
    dialect: "postgres",
    query: tx.query,
    transaction: (fn) => fn(tx),
    close: async () => {},
  };
  return { db, statements };
}

const M = (id: number) => ({ id, name: `m${id}`, sql: `CREATE TABLE t${id} ()` });

describe("migrate", () => {
  it("takes the advisory lock first, then applies only pending migrations in order", async () => {
    const { db, statements } = fakeDb([1]);
    expect(await migrate(db, [M(1), M(2), M(3)])).toEqual({ applied: [2, 3] });
    expect(statements.filter((s) => s.startsWith("SELECT pg_advisory_xact_lock"))).toHaveLength(3);
    expect(statements[0]).toMatch(/^SELECT pg_advisory_xact_lock/);
    expect(statements.filter((s) => s.startsWith("CREATE TABLE t"))).toEqual([
      "CREATE TABLE t2",
      "CREATE TABLE t3",
    ]);
  });

  it("refuses migrations out of order", async () => {
    await expect(migrate(fakeDb().db, [M(2), M(1)])).rejects.toThrow(/^migrate: /);
  });
});
