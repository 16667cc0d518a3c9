/**
 * PostgreSQL's side of the group commit (group-commit.ts). Unlike SQLite's single writer,
 * PostgreSQL takes writes on many connections at once, so up to `maxInFlight` batches run
 * side by side, each on a connection of its own: while one
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
import { sql, type Kysely } from 'kysely';
import { MAX_BATCH, runJobs, type BatchDialect, type Job, type Outcome, type SavepointControl } from './group-commit.js';
import type { Database } from './schema.js';
import type { Tx } from './work.js';

/** deadlock_detected, serialization_failure and lock_not_available (LOCK_WAIT_MS passed): the request itself was fine; run it again. */
const RUN_AGAIN_SQLSTATES = new Set(['40P01', '40001', '55P03']);
const MAX_RETRIES = 6;
/** How long a request waits for a row lock before it yields: the lock is another batch's (or instance's), held until its COMMIT. */
const LOCK_WAIT_MS = 2;
/** How long batches run one at a time after a yield. */
const SERIAL_AFTER_YIELD_MS = 1000;
/** From this many runs on, a request waits for its locks as long as it takes. */
const PATIENT_AFTER = 3;

/**
 * The transaction control of each change, in as few round trips as the protocol allows.
 * SET LOCAL inside the savepoint: it lasts for this request (a rollback to the savepoint undoes it too).
 */
const savepoints: SavepointControl = {
  async open(trx, job, first) {
    const lockWait = `set local lock_timeout = ${isPatient(job) ? 0 : LOCK_WAIT_MS}`;
    await sql.raw(`${first ? 'begin' : 'release savepoint request'}; savepoint request; ${lockWait}`).execute(trx);
  },
  async undo(trx) {
    await sql.raw('rollback to savepoint request').execute(trx);
  },
  runsAgain,
  // PostgreSQL runs a bulk change's statements on its own server: the pause alone serves others.
  stepOfBulkChange: async () => undefined,
};

export class PgBatches implements BatchDialect {
  /** A batch yielded to another's row lock: run one batch at a time until one runs clear. */
  private conflicted = false;
  private serialUntil: NodeJS.Timeout | undefined;
  /** Told when the serial spell ends (the group commit may start batches again). */
  roomAgain: () => void = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxInFlight: number,
  ) {}

  /** After a yield, writes on the same hot rows (a product's stock) run one batch at a time. */
  inFlightLimit(): number {
    return this.conflicted ? 1 : this.maxInFlight;
  }

  /** The next jobs to share a transaction: up to MAX_BATCH, a patient job alone (see the header). */
  nextBatch(queue: Job[]): Job[] {
    if (isPatient(queue[0]!)) return queue.splice(0, 1);
    const patientAt = queue.findIndex(isPatient);
    return queue.splice(0, Math.min(MAX_BATCH, patientAt === -1 ? queue.length : patientAt));
  }

  commitBatch(jobs: Job[]): Promise<Outcome[]> {
    return this.db.connection().execute((connection) => runInOneTransaction(asTransaction(connection), jobs));
  }

  committed(outcomes: readonly Outcome[]): void {
    if (outcomes.some((outcome) => outcome.ok === 'again' || outcome.ok === 'later')) this.yielded();
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
      this.roomAgain();
    }, SERIAL_AFTER_YIELD_MS);
    this.serialUntil.unref();
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
  try {
    const outcomes = await runJobs(trx, jobs, savepoints);
    // PostgreSQL answers the COMMIT of a transaction it already aborted with ROLLBACK.
    const { rows } = await sql.raw<{ command: string }>('commit').execute(trx);
    if (rows[0]?.command !== 'COMMIT') throw new Error(`the batch's COMMIT was answered ${rows[0]?.command ?? 'with nothing'}`);
    return outcomes;
  } catch (error) {
    await sql.raw('rollback').execute(trx).catch(() => undefined);
    throw error;
  }
}
