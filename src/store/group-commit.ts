/**
 * Group commit for SQLite: the writes that arrive in one turn of the event loop share one
 * transaction and one fsync, each inside its own savepoint so that one request's failure
 * never undoes another's; every answer waits for the COMMIT.
 */
import type { Kysely, Transaction } from 'kysely';
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

export class GroupCommit {
  private queue: Job[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

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
        await trx.commit().execute();
      } catch (error) {
        await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // The batch did not commit: nothing any job wrote exists, so every job fails.
      for (const job of jobs) job.reject(error);
      return;
    }
    // Answer only after the commit, so no request is acknowledged before it is durable.
    jobs.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
