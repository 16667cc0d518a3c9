/**
 * What a change of pickup codes writes besides the codes: their history rows and their pushes
 * to the machine. The hot paths change one code, which writes one history row and one push:
 * on PostgreSQL both go in ONE statement (a data-modifying WITH), since each statement is a
 * round trip to another process and, inside a batch, time that the batch's row locks are
 * held (issue 23). SQLite runs its statements in this process, where two cost less than the
 * round trip saved, and its INSERT writes one table only.
 */
import { sql } from 'kysely';
import type { Change, Transition } from '../../domain/pickup-codes.js';
import { locksRows } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Work } from '../work.js';
import * as codes from './codes.repository.js';
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
  ) =>
    db
      .with('history', (cte) => cte.insertInto('code_history').values(history.historyRow({ codeId, action, from, to, ...(detail === null ? {} : { detail }) }, { actor, requestId, at })))
      .insertInto('outbox')
      .values(outbox.outboxRow(machineId, method, body, at)),
);

/**
 * Writes the change's history rows (by the Work's author) and queues its pushes to the
 * machine, in the Work's transaction and at its clock; a large change pauses for other
 * requests between its chunks.
 */
export async function recordChange(work: Work, machineId: number, change: Change): Promise<void> {
  const [entry] = change.history;
  const [message] = change.messages;
  const { author } = work;
  if (locksRows(work.trx) && change.history.length === 1 && change.messages.length === 1) {
    work.queuePushes();
    const body = JSON.stringify(message!.fields);
    await insertHistoryAndPush(work.trx, entry!.codeId, entry!.action, entry!.from, entry!.to, author.actor, author.requestId, entry!.detail ?? null, author.at, machineId, message!.method, body);
    return;
  }
  await history.record(work.trx, change.history, author, () => work.pause());
  if (change.messages.length > 0) await outbox.enqueue(work, machineId, change.messages, work.now);
}

/**
 * On PostgreSQL, the cancel of one code, its history row and its push in ONE statement: the
 * two INSERTs read the UPDATE's RETURNING, so they write nothing when it matched nothing.
 */
const cancelUnusedCodeRecorded = preparedQuery(
  (
    db,
    at: number,
    by: string,
    cancelId: string,
    codeId: number,
    machineId: number,
    action: string,
    from: string | null,
    to: string,
    actor: string,
    requestId: string | null,
    detail: string | null,
    method: string,
    body: string,
  ) =>
    db
      .with('cancelled', (cte) => codes.cancelUnusedStatement(cte, { at, by, cancelId }, codeId, machineId))
      .with('history', (cte) =>
        cte
          .insertInto('code_history')
          .columns(history.HISTORY_COLUMNS)
          .expression((eb) => eb.selectFrom('cancelled').select([sql.val(codeId).as('pickup_code_id'), ...history.historyValues(action, from, to, actor, requestId, detail, at)])),
      )
      .with('push', (cte) =>
        cte
          .insertInto('outbox')
          .columns(['machine_id', 'method', 'body', 'created_at'])
          .expression((eb) => eb.selectFrom('cancelled').select(['cancelled.machine_id', sql.val(method).as('method'), sql.val(body).as('body'), sql.val(at).as('created_at')])),
      )
      .selectFrom('cancelled')
      .select('machine_id'),
);

/**
 * Cancels the code if it is an UNUSED code of the machine, and then writes what the cancel
 * changes besides the code (the decision's history row and push, by the Work's author, at the
 * mark's time); false, and nothing written, when it is not (any more).
 */
export async function cancelIfUnused(work: Work, machineId: number, codeId: number, mark: codes.CancelMark, change: Change): Promise<boolean> {
  const [entry] = change.history;
  const [message] = change.messages;
  if (locksRows(work.trx) && change.history.length === 1 && change.messages.length === 1) {
    const { actor, requestId } = work.author;
    const body = JSON.stringify(message!.fields);
    const [row] = await cancelUnusedCodeRecorded(work.trx, mark.at, mark.by, mark.cancelId, codeId, machineId, entry!.action, entry!.from, entry!.to, actor, requestId, entry!.detail ?? null, message!.method, body);
    if (row) work.queuePushes();
    return row !== undefined;
  }
  if (!(await codes.cancelIfUnused(work.trx, machineId, codeId, mark))) return false;
  await recordChange(work, machineId, change);
  return true;
}
