/**
 * Group commit for PostgreSQL: the writes that arrive in one turn of the event loop share
 * one transaction and one COMMIT (one WAL flush), each inside its own savepoint so that one
 * request's failure never undoes another's; every answer waits for the COMMIT.
 *
 * Unlike SQLite's single writer, PostgreSQL takes writes on many connections at once, so
 * up to `maxInFlight` batches run side by side, each on a connection of its own: while one
 * waits for its COMMIT, the next turn's writes already run on another. The transaction
 * control travels in as few round trips as the protocol allows: `begin`, the first
 * savepoint and its lock wait in one simple query, then one per request (`release`, the
 * next savepoint, its lock wait), and the COMMIT.
 *
 * A batch holds the row locks of all its requests until its COMMIT, and two batches take
 * them in whatever order their requests came (creates on products A then B in one, B then A
 * in the other), so they could deadlock, which PostgreSQL notices only after its
 * deadlock_timeout (1 s). So a request waits at most LOCK_WAIT_MS for a row lock: past that
 * it yields (rolled back to its savepoint) and runs again in a later batch, with the rest of
 * its batch, which would most likely meet the same locks; after such a yield batches run one
 * at a time for SERIAL_AFTER_YIELD_MS, so writes on the same hot rows (a product's stock) do
 * not keep yielding to each other. A request that yielded PATIENT_AFTER times then waits as long
 * as it takes (a row held for seconds by a bulk change, or by another instance), with
 * PostgreSQL's deadlock detection as the referee; a deadlock also runs it again. Such a
 * patient request runs in a batch of its own: the writes queued behind it, other merchants'
 * most likely, would otherwise wait inside its transaction for a lock they never asked for.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Tx = Transaction<Database>;

interface Job {
  work: (trx: Tx) => Promise<unknown>;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
  /** Times the job ran and yielded (a lock wait, a deadlock, a serialization failure). */
  retries: number;
}

/** `again`: ran, yielded to another batch's lock, runs again; `later`: not run, after a yield in its batch. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown } | { ok: 'again' } | { ok: 'later' };

/** The most writes one transaction carries, so one batch cannot grow without bound. */
const MAX_BATCH = 256;
/** deadlock_detected, serialization_failure and lock_not_available (LOCK_WAIT_MS passed): the request itself was fine; run it again. */
const RUN_AGAIN_SQLSTATES = new Set(['40P01', '40001', '55P03']);
const MAX_RETRIES = 6;
/** How long a request waits for a row lock before it yields: the lock is another batch's (or instance's), held until its COMMIT. */
const LOCK_WAIT_MS = 2;
/** How long batches run one at a time after a yield. */
const SERIAL_AFTER_YIELD_MS = 1000;
/** From this many runs on, a request waits for its locks as long as it takes. */
const PATIENT_AFTER = 3;

export class PgGroupCommit {
  private queue: Job[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** A batch yielded to another's row lock: run one batch at a time until one runs clear. */
  private conflicted = false;
  private serialUntil: NodeJS.Timeout | undefined;
  private idle: Array<() => void> = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxInFlight: number,
    /** Told each committed batch's number of writes (StoreOptions.onBatch). */
    private readonly onBatch?: (size: number) => void,
  ) {}

  submit<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject, retries: 0 });
      this.schedule();
    });
  }

  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) await new Promise<void>((done) => this.idle.push(done));
  }

  /**
   * Starts a batch at the end of this turn (so every write that arrived in it joins), if a
   * connection is free for it and no batch met another's row lock since the last one that
   * ran clear: writes on the same hot rows (a product's stock) then run one batch at a time.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= (this.conflicted ? 1 : this.maxInFlight) || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight >= (this.conflicted ? 1 : this.maxInFlight) || this.queue.length === 0) return this.settle();
      this.inFlight++;
      void this.commitBatch(this.nextBatch()).finally(() => {
        this.inFlight--;
        this.schedule();
        this.settle();
      });
      this.schedule();
    });
  }

  /** The next jobs to share a transaction: up to MAX_BATCH, a patient job alone (see the header). */
  private nextBatch(): Job[] {
    if (isPatient(this.queue[0]!)) return this.queue.splice(0, 1);
    const patientAt = this.queue.findIndex(isPatient);
    return this.queue.splice(0, Math.min(MAX_BATCH, patientAt === -1 ? this.queue.length : patientAt));
  }

  /**
   * One batch at a time for SERIAL_AFTER_YIELD_MS: long enough for the hot rows' batches to
   * take turns, short enough that a batch waiting for a lock held for seconds (a bulk change,
   * another instance) holds no other write back for longer.
   */
  private yielded(): void {
    this.conflicted = true;
    clearTimeout(this.serialUntil);
    this.serialUntil = setTimeout(() => {
      this.conflicted = false;
      this.schedule();
    }, SERIAL_AFTER_YIELD_MS);
    this.serialUntil.unref();
  }

  private settle(): void {
    if (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) return;
    for (const done of this.idle.splice(0)) done();
  }

  private async commitBatch(jobs: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.connection().execute((connection) => runInOneTransaction(asTransaction(connection), jobs));
    } catch (error) {
      // The batch did not commit: nothing any job wrote exists, so every job fails (a lost
      // connection fails as the store's "unavailable", which the client may retry).
      for (const job of jobs) job.reject(error);
      return;
    }
    this.onBatch?.(jobs.length);
    if (outcomes.some((outcome) => outcome.ok === 'again' || outcome.ok === 'later')) this.yielded();
    // Answer only after the commit, so no request is acknowledged before it is durable.
    const again: Job[] = [];
    jobs.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok === 'again' || outcome.ok === 'later') {
        if (outcome.ok === 'again') job.retries++;
        again.push(job);
      } else if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    // First in the queue again: they arrived before what is queued now.
    this.queue.unshift(...again);
  }
}

/**
 * The batch's connection as the jobs see it: a transaction (`isTransaction`), on which
 * starting another transaction is refused, since its COMMIT would end the whole batch's.
 */
function asTransaction(connection: Kysely<Database>): Tx {
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'isTransaction') return true;
      if (property === 'transaction' || property === 'startTransaction' || property === 'connection') {
        return () => {
          throw new Error('a write already runs in a transaction: use the one it was given');
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Tx;
}

/** Waits for its row locks as long as it takes (it yielded PATIENT_AFTER times already). */
function isPatient(job: Job): boolean {
  return job.retries >= PATIENT_AFTER;
}

function runsAgain(job: Job, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RUN_AGAIN_SQLSTATES.has(code) && job.retries < MAX_RETRIES;
}

async function runInOneTransaction(trx: Tx, jobs: Job[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  try {
    for (const job of jobs) {
      // After a yield, the rest would most likely meet the same locks: they wait for a later batch.
      if (outcomes.some((outcome) => outcome.ok === 'again')) {
        outcomes.push({ ok: 'later' });
        continue;
      }
      // SET LOCAL inside the savepoint: it lasts for this request (a rollback to the savepoint undoes it too).
      const lockWait = `set local lock_timeout = ${isPatient(job) ? 0 : LOCK_WAIT_MS}`;
      await sql.raw(`${outcomes.length === 0 ? 'begin' : 'release savepoint request'}; savepoint request; ${lockWait}`).execute(trx);
      try {
        outcomes.push({ ok: true, value: await job.work(trx) });
      } catch (error) {
        await sql.raw('rollback to savepoint request').execute(trx);
        outcomes.push(runsAgain(job, error) ? { ok: 'again' } : { ok: false, error });
      }
    }
    // PostgreSQL answers the COMMIT of a transaction it already aborted with ROLLBACK.
    const { rows } = await sql.raw<{ command: string }>('commit').execute(trx);
    if (rows[0]?.command !== 'COMMIT') throw new Error(`the batch's COMMIT was answered ${rows[0]?.command ?? 'with nothing'}`);
    return outcomes;
  } catch (error) {
    await sql.raw('rollback').execute(trx).catch(() => undefined);
    throw error;
  }
}
