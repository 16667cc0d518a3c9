/**
 * What /readyz asks of the store: that it answers, and that every migration this code knows
 * has run on it. Read through the store's reading connection (PostgreSQL: its search_path,
 * so the schema the store was opened on).
 */
import { sql } from 'kysely';
import { ping } from './executor.js';
import { migrationProvider } from './migrations.js';
import type { Store } from './store.js';

/** Resolves when the database answers a trivial query. */
export function storeAnswers(store: Store): Promise<void> {
  return ping(store.db);
}

/** The migrations of this code not (yet) run on the database: none once openStore migrated it. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const known = Object.keys(await migrationProvider(store.dialect).getMigrations());
  // Kysely's own bookkeeping table, which the schema's Database type does not list.
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
  const done = new Set(rows.map((row) => row.name));
  return known.filter((name) => !done.has(name));
}

/** Resolves when every migration has run; throws naming those that have not. */
export async function migrationsCurrent(store: Store): Promise<void> {
  const pending = await pendingMigrations(store);
  if (pending.length > 0) throw new Error(`not run: ${pending.join(', ')}`);
}
