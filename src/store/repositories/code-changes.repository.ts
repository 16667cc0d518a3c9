/**
 * What a change of pickup codes writes besides the codes: their history rows and their pushes
 * to the machine. The hot paths change one code, which writes one history row and one push:
 * on PostgreSQL both go in ONE statement (a data-modifying WITH), since each statement is a
 * round trip to another process and, inside a batch, time that the batch's row locks are
 * held (issue 23). SQLite runs its statements in this process, where two cost less than the
 * round trip saved, and its INSERT writes one table only.
 */
import type { Change, Transition } from '../../domain/pickup-codes.js';
import { locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import * as history from './history.repository.js';
import * as outbox from './outbox.repository.js';

const insertHistoryAndPush = preparedQuery(
  (
    db,
    codeId: number,
    action: Transition['action'],
    from: Transition['from'],
    to: Transition['to'],
    actor: string,
    requestId: string | null,
    detail: string | null,
    at: number,
    machineId: number,
    method: string,
    body: string,
    now: number,
  ) =>
    db
      .with('history', (cte) => cte.insertInto('code_history').values(history.historyRow({ codeId, action, from, to, ...(detail === null ? {} : { detail }) }, { actor, requestId, at })))
      .insertInto('outbox')
      .values(outbox.outboxRow(machineId, method, body, now)),
);

/**
 * Writes the change's history rows and queues its pushes to the machine, in the transaction
 * given; `between` runs between the chunks of a large change (a pause for other requests).
 */
export async function recordChange(db: Executor, machineId: number, change: Change, author: history.Author, now: number, between?: () => Promise<void>): Promise<void> {
  const [entry] = change.history;
  const [message] = change.messages;
  if (locksRows(db) && change.history.length === 1 && change.messages.length === 1) {
    outbox.markQueuing(db);
    const body = JSON.stringify(message!.fields);
    await insertHistoryAndPush(db, entry!.codeId, entry!.action, entry!.from, entry!.to, author.actor, author.requestId, entry!.detail ?? null, author.at, machineId, message!.method, body, now);
    return;
  }
  await history.record(db, change.history, author, between);
  if (change.messages.length > 0) await outbox.enqueue(db, machineId, change.messages, now);
}
