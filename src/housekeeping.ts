/**
 * The periodic chores of one running instance, in one place: purging stored answers (kept
 * a day for retries) and sent pushes, and marking silent machines offline. Each chore runs
 * on its own interval, never overlapping itself; a failure is logged and the chore tries
 * again next time. server.ts decides which chores an instance has and stops them first on
 * shutdown.
 */
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
