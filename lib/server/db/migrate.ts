import { MIGRATIONS, type Migration } from "./migrations";
import type { Db } from "./types";

/** One advisory-lock key for every Foyer migrator on a database (any stable bigint will do). */
export const MIGRATION_LOCK_KEY = 7_265_183_940_117;

/** Result of {@link migrate}: the ids it applied now (empty when the schema was current). */
export interface MigrateResult {
  applied: number[];
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && m.id <= previous.id) {
      throw new Error(`migrate: migration ids must increase; ${m.id} follows ${previous.id}`);
    }
  });
}

/**
 * Applies the pending `migrations` in order, each in its own transaction, and records
 * each in `schema_migrations`. Idempotent. Safe when several processes start at once
 * against one PostgreSQL: every step first takes a transaction-scoped advisory lock, so
 * migrators run one at a time and each re-reads what the others applied.
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  checkOrder(migrations);
  const applied: number[] = [];
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await tx.query("SELECT 1 FROM schema_migrations WHERE id = $1", [
        migration.id,
      ]);
      if (rows.length > 0) return false;
      await tx.query(migration.sql);
      await tx.query("INSERT INTO schema_migrations (id, name) VALUES ($1, $2)", [
        migration.id,
        migration.name,
      ]);
      return true;
    });
    if (didApply) applied.push(migration.id);
  }
  return { applied };
}
