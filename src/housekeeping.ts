/**
 * The periodic chores of one running instance, in one place: purging stored answers (kept
 * a day for retries), sent pushes and old callback attempts and events, marking silent machines offline, and timing out
 * deliveries whose machine never answered. Each chore runs
 * on its own interval, never overlapping itself; a failure is logged and the chore tries
 * again next time. server.ts decides which chores an instance has and stops them first on
 * shutdown.
 */
import { purgeOldCallbacksStep } from './service/callbacks.js';
import { TIMEOUT_SWEEP_BATCH, timeOutOverdueDeliveries } from './service/deliveries.js';
import { choreAuthor, runChange } from './service/runner.js';
import type { Store } from './store/store.js';

export interface Chore {
  /** For the log line when it fails. */
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface Housekeeping {
  stop(): Promise<void>;
}

/** Where a failed round is reported (pino's logger is one). */
export interface ChoreLogger {
  warn(details: object, message: string): void;
}

export function startHousekeeping(chores: Chore[], logger: ChoreLogger): Housekeeping {
  const running = new Set<Promise<unknown>>();
  const timers = chores.map((chore) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const round = chore
        .run()
        .catch((error: unknown) => logger.warn({ err: error }, `${chore.name} failed`))
        .finally(() => {
          busy = false;
          running.delete(round);
        });
      running.add(round);
    }, chore.intervalMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      // A chore in hand finishes before the store it writes to closes.
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * Deliveries still without a result `timeoutSeconds` after their command become IS_TIMEOUT
 * (delivery_put.md, 兜底), in batches. Each one is settled by a conditional UPDATE, so any
 * number of instances may sweep at once and a result arriving meanwhile wins or loses cleanly.
 */
export async function timeOutDeliveries(store: Store, now: number, timeoutSeconds: number): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await runChange(store, choreAuthor(now), (work) => timeOutOverdueDeliveries(work, { resultTimeoutSeconds: timeoutSeconds }));
    total += count;
    if (count < TIMEOUT_SWEEP_BATCH) return total;
  }
}

/**
 * Purges the callback attempts and the finished merchant events older than `keepDays`
 * (`--keep-callbacks-days`), step by step: each step is a transaction of its own of at most
 * PURGE_STEP rows, and other requests are served between steps, so a backlog of 100,000 rows
 * never holds another merchant's request for more than one step (bench/purge-stall.ts).
 */
export async function purgeOldCallbacks(store: Store, now: number, keepDays: number): Promise<number> {
  const before = now - keepDays * 24 * 3600;
  let total = 0;
  for (;;) {
    const count = await runChange(store, choreAuthor(now), (work) => purgeOldCallbacksStep(work.trx, before));
    if (count === 0) return total;
    total += count;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
