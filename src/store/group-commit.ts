/**
 * Group commit for SQLite: the writes that arrive in one turn of the event loop share one
 * transaction and one fsync, each inside its own savepoint so that one request's failure
 * never undoes another's; every answer waits for the COMMIT.
 *
 * A bulk change (100,000 codes) walks its rows in steps and pauses between them
 * (`stepOfBulkChange`), so that other requests are served meanwhile. Left alone, SQLite
 * would keep most of its pages dirty in the cache and write them all, then fsync tens of
 * megabytes, inside the COMMIT, on the event loop. So while a batch carries a bulk change
 * the writing connection's cache is kept small, which makes SQLite spill pages to the WAL
 * step by step, and before the COMMIT the WAL is flushed to disk off the loop (`syncWal`):
 * the COMMIT's own fsync then finds little left to do. Durability is unchanged: the COMMIT
 * still fsyncs before any answer goes out.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { fixedStatement } from './prepared.js';
import type { Database } from './schema.js';

type Tx = Transaction<Database>;

interface Job {
  work: (trx: Tx) => Promise<unknown>;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

// On SQLite these run on the connection directly (prepared.ts): three statements of every write.
const savepoint = fixedStatement('savepoint request');
const rollbackToSavepoint = fixedStatement('rollback to savepoint request');
const releaseSavepoint = fixedStatement('release savepoint request');

/** The most writes one SQLite transaction carries, so one batch cannot grow without bound. */
const MAX_BATCH = 256;
/** The writing connection's page cache during a bulk change, in KiB (SQLite's `cache_size` when negative). */
const BULK_CACHE_KIB = 256;

export interface GroupCommitOptions {
  /** Flushes the WAL file to disk without blocking the event loop. */
  syncWal?: () => Promise<void>;
  /** Told each committed batch's number of writes (StoreOptions.onBatch). */
  onBatch?: ((size: number) => void) | undefined;
}

/** The group commit whose open batch runs in each transaction, so a bulk change's step can find it. */
const batchesOf = new WeakMap<Tx, GroupCommit>();

/** Called between the steps of a bulk change (see the header); does nothing outside SQLite's group commit. */
export async function stepOfBulkChange(trx: Tx): Promise<void> {
  await batchesOf.get(trx)?.carriesBulkChange(trx);
}

export class GroupCommit {
  private queue: Job[] = [];
  private running: Promise<void> | undefined;
  /** The cache size to restore once the open batch's bulk change is done; undefined: no bulk change in it. */
  private cacheBeforeBulk: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: GroupCommitOptions = {},
  ) {}

  async carriesBulkChange(trx: Tx): Promise<void> {
    if (this.cacheBeforeBulk !== undefined) return;
    const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(trx);
    this.cacheBeforeBulk = rows[0]?.cache_size ?? -2000;
    await sql.raw(`pragma cache_size = -${BULK_CACHE_KIB}`).execute(trx);
  }

  /** Before the COMMIT of a batch that carried a bulk change: the cache back as it was, the WAL on disk. */
  private async prepareBulkCommit(trx: Tx): Promise<void> {
    if (this.cacheBeforeBulk === undefined) return;
    await this.restoreCache(trx);
    await this.options.syncWal?.();
  }

  private async restoreCache(on: Kysely<Database>): Promise<void> {
    if (this.cacheBeforeBulk === undefined) return;
    const size = Math.trunc(this.cacheBeforeBulk);
    this.cacheBeforeBulk = undefined;
    await sql.raw(`pragma cache_size = ${size}`).execute(on);
  }

  submit<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      // Wait for the end of this event-loop turn, so every request that arrived in it
      // joins the same transaction.
      if (!this.running) this.running = new Promise((done) => setImmediate(() => this.run().finally(done)));
    });
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.running = undefined;
    }
  }

  private async commitBatch(jobs: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      const trx = await this.db.startTransaction().execute();
      batchesOf.set(trx, this);
      try {
        for (const job of jobs) {
          await savepoint(trx);
          try {
            outcomes.push({ ok: true, value: await job.work(trx) });
          } catch (error) {
            await rollbackToSavepoint(trx);
            outcomes.push({ ok: false, error });
          }
          await releaseSavepoint(trx);
        }
        await this.prepareBulkCommit(trx);
        await trx.commit().execute();
      } catch (error) {
        await trx.rollback().execute().catch(() => undefined);
        // A batch that failed before its COMMIT must not leave the next ones a small cache.
        await this.restoreCache(this.db).catch(() => undefined);
        throw error;
      } finally {
        batchesOf.delete(trx);
      }
    } catch (error) {
      // The batch did not commit: nothing any job wrote exists, so every job fails.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.options.onBatch?.(jobs.length);
    // Answer only after the commit, so no request is acknowledged before it is durable.
    jobs.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
