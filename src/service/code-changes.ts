/** What every change of a code writes besides itself, in its transaction: its history rows and its pushes to the machine. */
import type { Change } from '../domain/pickup-codes.js';
import { recordChange } from '../store/repositories/code-changes.repository.js';
import { pauseForOtherRequests, type Tx } from '../store/store.js';
import { authorOf, type ChangeContext, type MachineRef } from './context.js';

export async function applyChange(trx: Tx, context: ChangeContext, machine: Pick<MachineRef, 'id'>, change: Change): Promise<void> {
  await recordChange(trx, machine.id, change, authorOf(context), context.now, () => pauseForOtherRequests(trx));
}
