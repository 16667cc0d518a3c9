/**
 * Rows kept in memory for a bounded time (`staleSeconds`, 0 = nothing kept), found again
 * without a query in between, except one a second at most that asks which rows changed
 * lately (each row's change stamp, whole Unix seconds): those are dropped, so an operator's
 * change takes effect on every running instance within a second. The merchants
 * (merchants.ts) and the merchants' machines (machine-directory.ts) are kept so.
 */
import type { Executor } from '../store/executor.js';

/** Past it the whole cache is dropped: bounded memory whatever is asked. */
const MAX_CACHED = 10_000;
/** How often the cache asks which rows changed, ms. */
const CHANGE_CHECK_MS = 1000;

/** The keys of the rows stamped at or after `since`. */
export type ChangedSince = (db: Executor, since: number) => Promise<string[]>;

export class PolledCache<T> {
  private readonly entries = new Map<string, { value: T; fetchedAt: number }>();
  private checkedAt = Date.now();
  private checking: Promise<void> | undefined;

  constructor(
    private readonly staleSeconds: number,
    private readonly changedSince: ChangedSince,
  ) {}

  /**
   * The row under `key`, cached or `load`ed; `db` runs the check for changes when one is
   * due (the caller's executor: a write's transaction inside a write). Rows not found are
   * not cached: guessing keys must not fill the memory.
   */
  async find(db: Executor, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const nowMs = Date.now();
    if (this.entries.size > 0 && nowMs - this.checkedAt >= CHANGE_CHECK_MS) await (this.checking ??= this.dropChanged(db, nowMs));
    const cached = this.entries.get(key);
    if (cached && nowMs - cached.fetchedAt < this.staleSeconds * 1000) return cached.value;
    const value = await load();
    if (value !== undefined && this.staleSeconds > 0) {
      if (this.entries.size >= MAX_CACHED) this.entries.clear();
      this.entries.set(key, { value, fetchedAt: nowMs });
    }
    return value;
  }

  /** Drops the rows changed since the last check (a second of overlap: changes are stamped in whole seconds). */
  private async dropChanged(db: Executor, nowMs: number): Promise<void> {
    try {
      const since = Math.floor(this.checkedAt / 1000) - 1;
      for (const key of await this.changedSince(db, since)) this.entries.delete(key);
      this.checkedAt = nowMs;
    } finally {
      this.checking = undefined;
    }
  }
}
