/**
 * A machine's presence as the link sees it: seen (a message from it), gone (its goodbye),
 * silent too long (the sweep). Each change of the online state queues the merchant's
 * `machine.online` / `machine.offline` event in the same transaction; the conditional
 * UPDATE decides the change, so with several instances each change is announced once.
 */
import { EVENT_TYPE } from '../domain/callbacks.js';
import * as machines from '../store/repositories/machines.repository.js';
import type { NetworkFacts } from '../store/repositories/machines.repository.js';
import type { Tx, Work } from '../store/store.js';
import { queueMerchantEvent } from './callbacks.js';

export type PresentMachine = Pick<machines.LinkedMachine, 'id' | 'merchant_id' | 'machine_no'>;

export async function recordMachineSeen(work: Work, machine: PresentMachine, network?: NetworkFacts): Promise<void> {
  const { trx } = work;
  const cameOnline = await machines.switchOnline(trx, machine.id, 1);
  await machines.markSeen(trx, machine.id, work.now, network);
  if (cameOnline) await queueMerchantEvent(work, machine.merchant_id, EVENT_TYPE.MACHINE_ONLINE, { machine_no: machine.machine_no });
}

export async function recordMachineGone(work: Work, machine: PresentMachine, reason: string): Promise<void> {
  const { trx } = work;
  if (await machines.switchOnline(trx, machine.id, 0)) {
    await queueMerchantEvent(work, machine.merchant_id, EVENT_TYPE.MACHINE_OFFLINE, { machine_no: machine.machine_no, reason: reason || 'goodbye' });
  }
}

/** Marks machines silent for longer than the timeout offline; returns how many. */
export async function markSilentMachinesOffline(work: Work, timeoutSeconds: number): Promise<number> {
  const { trx } = work;
  const silent = await machines.markSilentOffline(trx, work.now - timeoutSeconds);
  for (const machine of silent) {
    await queueMerchantEvent(work, machine.merchant_id, EVENT_TYPE.MACHINE_OFFLINE, { machine_no: machine.machine_no, reason: 'no heartbeat' });
  }
  return silent.length;
}
