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

/**
 * The transactions of this process that queued work for a background sender (the outbox's
 * dispatcher, the callback sender). The sender asks after each commit (the store's committed
 * event), so it wakes exactly when there is new work, and commits that queue none (its own
 * bookkeeping included) cost it nothing; other instances' rows are found by its poll.
 */
export class QueuingTransactions {
  private readonly transactions = new WeakSet<Executor>();

  mark(trx: Executor): void {
    this.transactions.add(trx);
  }

  queuedIn(trx: Executor): boolean {
    return this.transactions.has(trx);
  }
}
