/**
 * What every repository method runs on: the store's Kysely for reads, or the transaction
 * `store.write` opened (a Kysely transaction is a Kysely too).
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Executor = Kysely<Database>;

/** Row locks exist only on PostgreSQL; SQLite serialises every writer already. */
export function locksRows(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Resolves when the database answers a trivial query (the health check). */
export async function ping(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
