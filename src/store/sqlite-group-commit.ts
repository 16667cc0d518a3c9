/**
 * SQLite's side of the group commit (group-commit.ts): one batch at a time on the one
 * writing connection, its savepoints run on that connection directly (prepared.ts).
 *
 * A bulk change (100,000 codes) walks its rows in steps and pauses between them
 * (`Work.pause`), so that other requests are served meanwhile. Left alone, SQLite would keep
 * most of its pages dirty in the cache and write them all, then fsync tens of megabytes,
 * inside the COMMIT, on the event loop. So while a batch carries a bulk change the writing
 * connection's cache is kept small, which makes SQLite spill pages to the WAL step by step,
 * and before the COMMIT the WAL is flushed to disk off the loop (`syncWal`): the COMMIT's own
 * fsync then finds little left to do. Durability is unchanged: the COMMIT still fsyncs before
 * any answer goes out.
 */
import { sql, type Kysely } from 'kysely';
import { MAX_BATCH, runJobs, type BatchDialect, type Job, type Outcome, type SavepointControl } from './group-commit.js';
import { fixedStatement } from './prepared.js';
import type { Database } from './schema.js';
import type { Tx } from './work.js';

// On SQLite these run on the connection directly (prepared.ts): three statements of every write.
const savepoint = fixedStatement('savepoint request');
const rollbackToSavepoint = fixedStatement('rollback to savepoint request');
const releaseSavepoint = fixedStatement('release savepoint request');

/** The writing connection's page cache during a bulk change, in KiB (SQLite's `cache_size` when negative). */
const BULK_CACHE_KIB = 256;

export interface SqliteBatchOptions {
  /** Flushes the WAL file to disk without blocking the event loop. */
  syncWal?: () => Promise<void>;
}

export class SqliteBatches implements BatchDialect {
  /** The cache size to restore once the open batch's bulk change is done; undefined: no bulk change in it. */
  private cacheBeforeBulk: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: SqliteBatchOptions = {},
  ) {}

  inFlightLimit(): number {
    return 1;
  }

  nextBatch(queue: Job[]): Job[] {
    return queue.splice(0, MAX_BATCH);
  }

  async commitBatch(jobs: Job[]): Promise<Outcome[]> {
    const trx = await this.db.startTransaction().execute();
    const control: SavepointControl = {
      open: (on) => savepoint(on),
      undo: (on) => rollbackToSavepoint(on),
      close: (on) => releaseSavepoint(on),
      runsAgain: () => false,
      stepOfBulkChange: () => this.carriesBulkChange(trx),
    };
    try {
      const outcomes = await runJobs(trx, jobs, control);
      await this.prepareBulkCommit(trx);
      await trx.commit().execute();
      return outcomes;
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      // A batch that failed before its COMMIT must not leave the next ones a small cache.
      await this.restoreCache(this.db).catch(() => undefined);
      throw error;
    }
  }

  private async carriesBulkChange(trx: Tx): Promise<void> {
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
}
