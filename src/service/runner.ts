/**
 * The one runner of work. Every entry point runs its changes through it: the HTTP routes
 * (`http/answer-once.ts`), the machine messages (`link/inbox.ts`), the chores
 * (`housekeeping.ts`), the outbox dispatcher, the callback sender, the operator's commands
 * and the demo. `runChange` is the one call of `store.write` outside src/store: the change is
 * handed a `Work` (store/work.ts) carrying its author (who asked, and the clock it is written
 * at, given here by the entry point) and passes it down to the services, which never open a
 * transaction of their own nor read a clock of their own.
 *
 * The background senders (the dispatcher, the callback sender) share one `WakeLoop`: woken by
 * the store's committed event when the committed Work queued what they send, by a poll (other
 * instances' rows, retries coming due), and drained on close.
 */
import type { Author, Store, Work } from '../store/store.js';
import type { Queued } from '../store/work.js';

/** Runs the change, by its author, in one transaction of the store's group commit; resolves after its COMMIT. */
export function runChange<T>(store: Store, author: Author, change: (work: Work) => Promise<T>): Promise<T> {
  return store.write(author, change);
}

/** The author of a change nobody asked for by a request: a machine, the operator, a chore, at `at`. */
export function authorAt(actor: string, at: number): Author {
  return { actor, requestId: null, at };
}

/** The author of a chore's change (the purges, the delivery timeouts) at `now`. */
export function choreAuthor(now: number): Author {
  return authorAt('housekeeping', now);
}

/**
 * Runs the change in a transaction of its own where the store has them (PostgreSQL, see
 * `Store.writeAlone`), for a change that holds row locks while it waits on something outside
 * the database; undefined where it has none (SQLite).
 */
export function aloneRunner(store: Store): (<T>(author: Author, change: (work: Work) => Promise<T>) => Promise<T>) | undefined {
  if (!store.writeAlone) return undefined;
  return (author, change) => store.writeAlone!(author, change);
}

export interface WakeLoopOptions {
  /** What a committed change must have queued to wake the loop. */
  wakesOn: keyof Queued;
  /** How often to look for work nobody woke the loop for (other instances' rows, retries). */
  pollIntervalMs: number;
  /** One round: finds the work waiting and starts it. */
  round: () => Promise<void>;
  /** A round that failed: the next wake-up tries again; a broken database must not take the process down. */
  onError: (error: unknown) => void;
}

export class WakeLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: WakeLoopOptions,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Whether a round runs now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    // Commits that queued nothing for this loop (its own bookkeeping among them) wake nothing.
    this.stopListening = this.store.onCommit((work) => {
      if (work.queued[this.options.wakesOn]) this.wake();
    });
    this.wake();
  }

  /** There may be work: a round now, or one more after the running one. Calls coalesce. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = undefined;
      // A wake-up that came after the round's last look but before it ended.
      if (this.again) this.wake();
    });
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.options.round();
      } catch (error) {
        this.options.onError(error);
      }
    } while (this.again && !this.stopped);
  }

  /** Resolves when no round runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No more rounds: the timer and the committed event are let go; the running round ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.stopListening?.();
    await this.idle();
  }
}
