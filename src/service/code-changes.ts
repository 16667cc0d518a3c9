/** What every change of a code writes besides itself, in its transaction: its history rows and its pushes to the machine, by the Work's author. */
import type { Change } from '../domain/pickup-codes.js';
import { recordChange } from '../store/repositories/code-changes.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { Work } from '../store/store.js';

export async function applyChange(work: Work, machine: Pick<MachineRef, 'id'>, change: Change): Promise<void> {
  await recordChange(work, machine.id, change);
}
