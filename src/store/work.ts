/**
 * The unit of work: one change as the store runs it. `store.write(author, change)` hands the
 * change a `Work` carrying its transaction and who asked for it and when (its `Author`: the
 * actor, the request, and the clock every row of the change is written at), and collecting
 * what must follow its commit: whether it queued pushes for the machine link's dispatcher or
 * callbacks for the callback sender (the committed event hands the Work to its listeners, so
 * each sender wakes only after a commit that gave it something to send), and the pause
 * between the steps of a bulk change, which the dialect's group commit provides. A change
 * that runs again (PostgreSQL's yield to a row lock) gets a new Work: what a rolled-back run
 * queued is gone with it, its author and clock stay those it was given.
 */
import type { Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

/** Who made a change, and when: the same for every row the change writes (its history rows among them). */
export interface Author {
  /** e.g. `merchant:3`, `machine:12345678`, `operator`, `housekeeping`. */
  actor: string;
  /** The merchant's request that asked for the change; null for a machine's message or a chore. */
  requestId: string | null;
  /** The change's clock, in seconds. */
  at: number;
}

/** What a change queued for a background sender, read after its commit. */
export interface Queued {
  pushes: boolean;
  callbacks: boolean;
}

export class Work {
  readonly queued: Queued = { pushes: false, callbacks: false };

  constructor(
    /** The change's transaction: every repository call of the change runs on it (row locks where `locksRows(trx)`). */
    readonly trx: Tx,
    /** Who asked for the change, and when. */
    readonly author: Author,
    private readonly stepOfBulkChange: () => Promise<void>,
  ) {}

  /** The change's clock (its author's `at`): what it writes is written at this time. */
  get now(): number {
    return this.author.at;
  }

  /** An outbox row was written: the dispatcher has work once this commits. */
  queuePushes(): void {
    this.queued.pushes = true;
  }

  /** A callback was queued (or queued again): the callback sender has work once this commits. */
  queueCallbacks(): void {
    this.queued.callbacks = true;
  }

  /**
   * Lets the event loop serve other requests between the steps of a bulk change. SQLite runs
   * every statement on this thread, so a 100,000-row statement would hold every other
   * merchant's request for its whole length; in steps of a few thousand rows with a pause
   * between them, nobody waits more than one step. The transaction stays open throughout (all
   * or nothing); writes that arrive meanwhile queue for a later transaction, so they neither
   * wait inside nor share the bulk change's fate.
   */
  async pause(): Promise<void> {
    await this.stepOfBulkChange();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
