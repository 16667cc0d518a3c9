/** What every change of a code writes besides itself, in its transaction: its history rows and its pushes to the machine. */
import type { Change } from '../domain/pickup-codes.js';
import * as history from '../store/repositories/history.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Work } from '../store/store.js';
import { authorOf, type ChangeContext, type MachineRef } from './context.js';

export async function applyChange(work: Work, context: ChangeContext, machine: Pick<MachineRef, 'id'>, change: Change): Promise<void> {
  await history.record(work.trx, change.history, authorOf(context), () => work.pause());
  if (change.messages.length > 0) await outbox.enqueue(work, machine.id, change.messages, context.now);
}
