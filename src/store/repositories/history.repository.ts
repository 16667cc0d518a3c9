/**
 * The history of codes: append-only, one row per change of a pickup code. Every row is
 * written through `historyRow`, the one mapping of a transition to its columns.
 */
import { sql } from 'kysely';
import type { CodeStatus, HistoryEntry, Transition } from '../../domain/pickup-codes.js';
import { CHUNK, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { NewCodeHistory } from '../schema.js';
import type { Author } from '../work.js';

export function historyRow(entry: HistoryEntry, author: Author): NewCodeHistory {
  return {
    pickup_code_id: entry.codeId,
    action: entry.action,
    from_status: entry.from,
    to_status: entry.to,
    actor: author.actor,
    request_id: author.requestId,
    detail: entry.detail ?? null,
    at: author.at,
  };
}

/** A history row's columns, in the order `historyValues` selects them after the code's id. */
export const HISTORY_COLUMNS = ['pickup_code_id', 'action', 'from_status', 'to_status', 'actor', 'request_id', 'detail', 'at'] as const;

/**
 * A history row's columns but the code's id, as values to select beside it, for an
 * `INSERT … SELECT` that writes one row per code the SELECT finds (`historyRow`'s mapping).
 */
export function historyValues(action: string, from: string | null, to: string, actor: string, requestId: string | null, detail: string | null, at: number) {
  return [
    sql.val(action).as('action'),
    sql.val(from).as('from_status'),
    sql.val(to).as('to_status'),
    sql.val(actor).as('actor'),
    sql.val(requestId).as('request_id'),
    sql.val(detail).as('detail'),
    sql.val(at).as('at'),
  ] as const;
}

const insertOne = preparedQuery(
  (db, codeId: number, action: Transition['action'], from: Transition['from'], to: Transition['to'], actor: string, requestId: string | null, detail: string | null, at: number) =>
    db.insertInto('code_history').values(historyRow({ codeId, action, from, to, ...(detail === null ? {} : { detail }) }, { actor, requestId, at })),
);

export async function record(db: Executor, entries: readonly HistoryEntry[], author: Author, between?: () => Promise<void>): Promise<void> {
  if (entries.length === 1) {
    const [entry] = entries as [HistoryEntry];
    await insertOne(db, entry.codeId, entry.action, entry.from, entry.to, author.actor, author.requestId, entry.detail ?? null, author.at);
    return;
  }
  for (let start = 0; start < entries.length; start += CHUNK) {
    await db.insertInto('code_history').values(entries.slice(start, start + CHUNK).map((entry) => historyRow(entry, author))).execute();
    if (between && start + CHUNK < entries.length) await between();
  }
}

/** Which codes a bulk change marked: those of the machine whose cancel carries its mark, within (after, through]. */
export interface MarkedCodes {
  machineId: number;
  cancelId: string;
  after: number;
  through: number;
}

const insertForMarked = preparedQuery(
  (db, action: string, from: string, to: string, detail: string | null, actor: string, requestId: string | null, at: number, machineId: number, cancelId: string, after: number, through: number) =>
    db
      .insertInto('code_history')
      .columns(HISTORY_COLUMNS)
      .expression((eb) =>
        eb
          .selectFrom('pickup_codes')
          .select(['id', ...historyValues(action, from, to, actor, requestId, detail, at)])
          .where('machine_id', '=', machineId)
          .where('cancel_request_id', '=', cancelId)
          .where('id', '>', after)
          .where('id', '<=', through),
      ),
);

/** One row per code of a bulk change, written by the database, so the codes never sit in memory. */
export async function recordForMarked(db: Executor, transition: Transition & { from: CodeStatus }, author: Author, marked: MarkedCodes): Promise<void> {
  await insertForMarked(
    db,
    transition.action,
    transition.from,
    transition.to,
    transition.detail ?? null,
    author.actor,
    author.requestId,
    author.at,
    marked.machineId,
    marked.cancelId,
    marked.after,
    marked.through,
  );
}

/** Every history row of the code, oldest first. */
export function ofCode(db: Executor, codeId: number) {
  return db.selectFrom('code_history').selectAll().where('pickup_code_id', '=', codeId).orderBy('id').execute();
}
