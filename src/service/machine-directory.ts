/**
 * Finds the merchant's machine that a request on a machine names (open-api-route.ts), as
 * the merchants are found (merchants.ts): the MachineRef is kept for the merchant cache's
 * time, so a request on a known machine runs no lookup, and a machine the operator changed
 * (`machines.update` stamps it) is dropped within a second on every running instance
 * (polled-cache.ts): turned-off pickup codes or a stopped machine are refused everywhere by
 * then. Keyed by merchant and number, so another merchant's machine is never found here.
 */
import type { Executor } from '../store/executor.js';
import * as machines from '../store/repositories/machines.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { PolledCache } from './polled-cache.js';
import { Refused } from './refused.js';

const keyOf = (merchantId: number, machineNo: string) => `${merchantId}/${machineNo}`;

export class MachineDirectory {
  private readonly cache: PolledCache<Readonly<MachineRef>>;

  constructor(staleSeconds: number) {
    this.cache = new PolledCache(staleSeconds, async (db, since) => (await machines.changedSince(db, since)).map((m) => keyOf(m.merchant_id, m.machine_no)));
  }

  /**
   * The merchant's machine with that number, read on `db` when not cached (a write's
   * transaction inside a write). Another merchant's machine answers exactly like a missing
   * one (30003), so machine numbers of others cannot be probed.
   */
  async findOwned(db: Executor, merchantId: number, machineNo: string): Promise<Readonly<MachineRef>> {
    const machine = await this.cache.find(db, keyOf(merchantId, machineNo), async () => {
      const found = await machines.findOwned(db, merchantId, machineNo);
      // Shared by every request that finds it while cached: none may change it.
      return found && Object.freeze(found);
    });
    if (!machine) throw new Refused({ refused: 'machine-not-found' });
    return machine;
  }
}
