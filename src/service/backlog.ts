/**
 * What waits to leave, read from the store whenever the metrics are scraped: shared by every
 * instance, so each one reports the fleet's backlog, not its own share of it.
 */
import * as callbacks from '../store/repositories/callbacks.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Store } from '../store/store.js';

export interface Backlog {
  machinesOnline: number;
  pushesUnsent: number;
  /** Seconds since the oldest unsent push was written; 0 when none waits. */
  oldestUnsentAgeSeconds: number;
  callbacksPending: number;
}

export async function readBacklog(store: Store, now: number): Promise<Backlog> {
  const [machinesOnline, unsent, callbacksPending] = await Promise.all([
    machines.countOnline(store.db),
    outbox.unsentBacklog(store.db),
    callbacks.countPending(store.db),
  ]);
  return {
    machinesOnline,
    pushesUnsent: unsent.count,
    oldestUnsentAgeSeconds: unsent.oldestAt === null ? 0 : Math.max(0, now - unsent.oldestAt),
    callbacksPending,
  };
}
