/**
 * Group commit: the writes that arrive in one turn of the event loop share one transaction
 * and one COMMIT (one fsync, one WAL flush), each inside its own savepoint so that one
 * request's failure never undoes another's; every answer waits for the COMMIT, so no request
 * is acknowledged before it is durable.
 *
 * This is the core both dialects share: the queue, the batches, a savepoint and a `Work` per
 * change, the answers after the COMMIT, the batch sizes told to `onBatch`. What differs is a
 * `BatchDialect` (sqlite-group-commit.ts: one batch at a time on the one writing connection,
 * a bulk change's page cache and WAL sync; pg-group-commit.ts: a few batches in flight, each
 * on a connection of its own, yielding to another batch's row locks).
 */
import { Work, type Author, type Tx } from './work.js';

/** The most writes one transaction carries, so one batch cannot grow without bound. */
export const MAX_BATCH = 256;

export interface Job {
  /** Who asked for the change, and when: the same on every run of it. */
  author: Author;
  change: (work: Work) => Promise<unknown>;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
  /** How often the change yielded to another batch's row locks and waits to run again (PostgreSQL). */
  retries: number;
}

/** `again`: ran, yielded to another batch's lock, runs again; `later`: not run, after a yield in its batch. */
export type Outcome = { ok: true; value: unknown; work: Work } | { ok: false; error: unknown } | { ok: 'again' } | { ok: 'later' };

/** How a dialect runs the batches. */
export interface BatchDialect {
  /** How many batches may be in flight just now. */
  inFlightLimit(): number;
  /** Takes the next batch off the queue: at most MAX_BATCH jobs. */
  nextBatch(queue: Job[]): Job[];
  /** Runs the jobs in one transaction (through `runJobs`) and commits it; throws when it did not commit. */
  commitBatch(jobs: Job[]): Promise<Outcome[]>;
  /** After a committed batch whose outcomes are these. */
  committed?(outcomes: readonly Outcome[]): void;
}

/** The transaction control of each change inside a batch's transaction. */
export interface SavepointControl {
  /** Before each change: its savepoint (`first`: the batch's first change). */
  open(trx: Tx, job: Job, first: boolean): Promise<void>;
  /** After a change failed: its savepoint rolled back. */
  undo(trx: Tx): Promise<void>;
  /** After each change, failed or not (SQLite releases its savepoint here). */
  close?(trx: Tx): Promise<void>;
  /** Whether a change that failed so runs again in a later batch. */
  runsAgain(job: Job, error: unknown): boolean;
  /** The pause between a bulk change's steps (`Work.pause`). */
  stepOfBulkChange(): Promise<void>;
}

/** Runs each job's change in a savepoint of its own, handing it a Work of its own. */
export async function runJobs(trx: Tx, jobs: readonly Job[], control: SavepointControl): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const job of jobs) {
    // After a yield, the rest would most likely meet the same locks: they wait for a later batch.
    if (outcomes.some((outcome) => outcome.ok === 'again')) {
      outcomes.push({ ok: 'later' });
      continue;
    }
    await control.open(trx, job, outcomes.length === 0);
    const work = new Work(trx, job.author, () => control.stepOfBulkChange());
    try {
      outcomes.push({ ok: true, value: await job.change(work), work });
    } catch (error) {
      await control.undo(trx);
      outcomes.push(control.runsAgain(job, error) ? { ok: 'again' } : { ok: false, error });
    }
    await control.close?.(trx);
  }
  return outcomes;
}

export interface GroupCommitOptions {
  /** Told each committed batch's number of writes (StoreOptions.onBatch). */
  onBatch?: ((size: number) => void) | undefined;
  /** Told each committed change's Work, before its writer hears of the commit; must not throw (the store's committed event). */
  onCommit: (work: Work) => void;
}

export class GroupCommit {
  private queue: Job[] = [];
  private inFlight = 0;
  private scheduled = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly dialect: BatchDialect,
    private readonly options: GroupCommitOptions,
  ) {}

  submit<T>(author: Author, change: (work: Work) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ author, change, resolve, reject, retries: 0 });
      this.schedule();
    });
  }

  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) await new Promise<void>((done) => this.idle.push(done));
  }

  /** Starts a batch at the end of this turn (so every write that arrived in it joins), if the dialect has room for one. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.dialect.inFlightLimit() || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight >= this.dialect.inFlightLimit() || this.queue.length === 0) return this.settle();
      this.inFlight++;
      void this.commitBatch(this.dialect.nextBatch(this.queue)).finally(() => {
        this.inFlight--;
        this.schedule();
        this.settle();
      });
      this.schedule();
    });
  }

  /** Wakes `drain` once nothing runs or waits. */
  private settle(): void {
    if (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) return;
    for (const done of this.idle.splice(0)) done();
  }

  /** The dialect's limit grew (PostgreSQL's serial spell ended): batches may start again. */
  wakeUp(): void {
    this.schedule();
  }

  private async commitBatch(jobs: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.dialect.commitBatch(jobs);
    } catch (error) {
      // The batch did not commit: nothing any job wrote exists, so every job fails (a lost
      // connection fails as the store's "unavailable", which the client may retry).
      for (const job of jobs) job.reject(error);
      return;
    }
    this.options.onBatch?.(jobs.length);
    this.dialect.committed?.(outcomes);
    const again: Job[] = [];
    jobs.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok === 'again' || outcome.ok === 'later') {
        if (outcome.ok === 'again') job.retries++;
        again.push(job);
      } else if (outcome.ok) {
        this.options.onCommit(outcome.work);
        job.resolve(outcome.value);
      } else job.reject(outcome.error);
    });
    // First in the queue again: they arrived before what is queued now.
    this.queue.unshift(...again);
  }
}
