/** What every change of a code writes besides itself, in its transaction: its history rows and its pushes to the machine. */
import type { Change } from '../domain/pickup-codes.js';
import { recordChange } from '../store/repositories/code-changes.repository.js';
import type { Work } from '../store/store.js';
import { authorOf, type ChangeContext, type MachineRef } from './context.js';

export async function applyChange(work: Work, context: ChangeContext, machine: Pick<MachineRef, 'id'>, change: Change): Promise<void> {
  await recordChange(work, machine.id, change, authorOf(context), context.now);
}
