/**
 * A machine's keypad locked after wrong codes in a row (the extension `client.keypad.locked`,
 * docs/mqtt.md): the merchant is told with the webhook event `machine.keypad_locked`, the
 * keypad's sibling of `machine.code_guessing` (docs/security.md, "Code guessing"). The machine
 * is seen in the same transaction, as with any message it sends.
 */
import { EVENT_TYPE } from '../domain/callbacks.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { Tx, Work } from '../store/store.js';
import { queueMerchantEvent } from './callbacks.js';

export interface KeypadLock {
  wrongCodes: number;
  lockSeconds: number;
}

export async function recordKeypadLock(work: Work, machine: MachineRef, lock: KeypadLock): Promise<void> {
  const { trx } = work;
  await queueMerchantEvent(work, machine.merchant_id, EVENT_TYPE.MACHINE_KEYPAD_LOCKED, {
    machine_no: machine.machine_no,
    wrong_codes: lock.wrongCodes,
    lock_seconds: lock.lockSeconds,
  });
}
