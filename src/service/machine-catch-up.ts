/**
 * Catch-up of a machine on the original firmware (docs/mqtt.md, "Catch-up"): it knows no
 * pull and no sync, so when it comes back from an absence it is brought to exactly the live
 * set with the docs' create and delete messages, computed from the database. Every code
 * changed since shortly before it was last heard of is sent again: a create if the code is
 * live now, a delete otherwise. Both are harmless if the machine already had them, since the
 * docs' firmware keys its codes by id. A machine never heard of before hears of every code
 * it ever had.
 */
import { CATCH_UP_MARGIN_SECONDS } from '../domain/link-profiles.js';
import { codeCreatedMessage, codeDeletedMessage } from '../protocol/machine-messages.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Tx, Work } from '../store/store.js';

export interface ReturningMachine {
  id: number;
  time_zone: string;
  /** When it was last heard of before now; null for a machine never heard of. */
  last_seen_at: number | null;
}

/** A create of every live code of the machine (the whole list changed, e.g. by an import); returns how many. */
export async function queueLiveCodes(work: Work, machine: Pick<ReturningMachine, 'id' | 'time_zone'>): Promise<number> {
  const { trx, now } = work;
  const live = await codes.liveOnMachine(trx, machine.id, now);
  if (live.length > 0) await outbox.enqueue(work, machine.id, live.map((code) => codeCreatedMessage(code, machine.time_zone)), now);
  return live.length;
}

/** Queues the machine's catch-up; returns how many messages. */
export async function queueCatchUp(work: Work, machine: ReturningMachine): Promise<number> {
  const { trx, now } = work;
  // A machine never heard of may still have received pushes: it hears of every code it ever had.
  const since = machine.last_seen_at === null ? 0 : machine.last_seen_at - CATCH_UP_MARGIN_SECONDS;
  const changed = await codes.changedOnMachineSince(trx, machine.id, since, now);
  const messages = changed.map((code) => (code.live ? codeCreatedMessage(code, machine.time_zone) : codeDeletedMessage(code.id)));
  if (messages.length > 0) await outbox.enqueue(work, machine.id, messages, now);
  return messages.length;
}
