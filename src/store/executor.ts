/**
 * What every repository method runs on: the store's Kysely for reads, or the transaction of
 * the change `store.write` runs (`work.trx`; a Kysely transaction is a Kysely too).
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Executor = Kysely<Database>;

/**
 * Rows (or ids) per statement of the chunked inserts and lookups, well under SQLite's limit
 * on bound parameters (32,766) with every row's columns counted.
 */
export const CHUNK = 500;

/** Row locks exist only on PostgreSQL; SQLite serialises every writer already. */
export function locksRows(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Resolves when the database answers a trivial query (the health check). */
export async function ping(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
