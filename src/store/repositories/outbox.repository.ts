/**
 * The outbox: messages for machines, written in the transaction of the change they announce
 * and marked sent once the broker acknowledged them.
 */
import { sql } from 'kysely';
import { MACHINE_METHOD, type MachineMessage } from '../../protocol/machine-messages.js';
import { CHUNK, locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Work } from '../work.js';
import type { MarkedCodes } from './history.repository.js';

const insertOne = preparedQuery((db, machineId: number, method: string, body: string, now: number) =>
  db.insertInto('outbox').values(outboxRow(machineId, method, body, now)),
);

export function outboxRow(machineId: number, method: string, body: string, now: number) {
  return { machine_id: machineId, method, body, created_at: now };
}

/** Queues the messages for the machine in the change's transaction; the dispatcher sends them once it commits. */
export async function enqueue(work: Work, machineId: number, messages: readonly MachineMessage[], now: number): Promise<void> {
  work.queuePushes();
  const db = work.trx;
  if (messages.length === 1) {
    await insertOne(db, machineId, messages[0]!.method, JSON.stringify(messages[0]!.fields), now);
    return;
  }
  for (let start = 0; start < messages.length; start += CHUNK) {
    const rows = messages.slice(start, start + CHUNK).map((message) => outboxRow(machineId, message.method, JSON.stringify(message.fields), now));
    await db.insertInto('outbox').values(rows).execute();
  }
}

const insertDeletesForMarked = preparedQuery((db, machineId: number, now: number, cancelId: string, after: number, through: number) =>
  db
    .insertInto('outbox')
    .columns(['machine_id', 'method', 'body', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('pickup_codes')
        .select([
          sql.val(machineId).as('machine_id'),
          sql.val(MACHINE_METHOD.CODE_DELETED).as('method'),
          // codeDeletedMessage's body as JSON.stringify writes it: {"id":"<id>"}.
          sql<string>`'{"id":"' || cast(id as text) || '"}'`.as('body'),
          sql.val(now).as('created_at'),
        ])
        .where('machine_id', '=', machineId)
        .where('cancel_request_id', '=', cancelId)
        .where('id', '>', after)
        .where('id', '<=', through)
        .orderBy('id'),
    ),
);

/**
 * One delete per code a step of a bulk cancel marked, in id order, written by the database as
 * its history rows are, so 100,000 codes never sit in memory as messages.
 */
export async function enqueueDeletesForMarked(work: Work, marked: MarkedCodes, now: number): Promise<void> {
  work.queuePushes();
  await insertDeletesForMarked(work.trx, marked.machineId, now, marked.cancelId, marked.after, marked.through);
}

/** Deletes pushes sent before `sentBefore`; ids are never reused, so sync revisions keep growing. */
export async function purgeSent(db: Executor, sentBefore: number): Promise<number> {
  const result = await db.deleteFrom('outbox').where('sent_at', '<', sentBefore).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Machines with unsent rows, but none of `except` (those a worker of this process serves already). */
export async function machinesWithUnsent(db: Executor, limit: number, except: readonly number[]): Promise<number[]> {
  let query = db
    .selectFrom('machines')
    .select('id')
    // EXISTS probes the outbox_unsent index once per machine; an IN over the unsent rows would
    // read all of them every time (100,000 during a large cancel-all to an original machine).
    .where(({ exists, selectFrom }) => exists(selectFrom('outbox').select('outbox.id').whereRef('outbox.machine_id', '=', 'machines.id').where('outbox.sent_at', 'is', null)))
    .orderBy('id')
    .limit(limit);
  if (except.length > 0) query = query.where('id', 'not in', [...except]);
  return (await query.execute()).map((row) => row.id);
}

/**
 * On PostgreSQL, locks the machine until the transaction ends, or answers false when another
 * instance holds it (SKIP LOCKED): one machine's rows leave one instance, in order. NO KEY
 * UPDATE, not UPDATE, so the foreign-key checks of concurrent inserts of codes and orders for
 * the machine are not blocked. A SQLite file belongs to one process: always true.
 */
export async function lockMachine(db: Executor, machineId: number): Promise<boolean> {
  if (!locksRows(db)) return true;
  const row = await db.selectFrom('machines').select('id').where('id', '=', machineId).forNoKeyUpdate().skipLocked().executeTakeFirst();
  return row !== undefined;
}

export interface UnsentRow {
  id: number;
  method: string;
  body: string;
}

/** The machine's oldest unsent rows, in the order they were written. */
export function unsentOf(db: Executor, machineId: number, limit: number): Promise<UnsentRow[]> {
  return db
    .selectFrom('outbox')
    .select(['id', 'method', 'body'])
    .where('machine_id', '=', machineId)
    .where('sent_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The machine's unsent rows of those methods. */
export async function unsentIdsOf(db: Executor, machineId: number, methods: readonly string[]): Promise<number[]> {
  const rows = await db.selectFrom('outbox').select('id').where('machine_id', '=', machineId).where('sent_at', 'is', null).where('method', 'in', [...methods]).execute();
  return rows.map((row) => row.id);
}

/** The id of the machine's newest row, sent or not; 0 when it has none. */
export async function newestIdOf(db: Executor, machineId: number): Promise<number> {
  const newest = await db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).where('machine_id', '=', machineId).executeTakeFirst();
  return Number(newest?.id ?? 0);
}

// The ids travel as ONE parameter, a PostgreSQL array or a JSON array for SQLite, so a round
// of any size is one statement of one text, prepared once (an `in ($1 … $n)` is a new text,
// parsed and planned anew, for every count), and needs no chunks under SQLite's parameter limit.
const markIdsSent = preparedQuery((db, now: number, ids: string) =>
  db
    .updateTable('outbox')
    .set({ sent_at: now })
    .where((eb) => (locksRows(db) ? eb('id', '=', sql<number>`any(cast(${ids} as bigint[]))`) : eb('id', 'in', sql<number>`(select value from json_each(${ids}))`)))
    .where('sent_at', 'is', null),
);

/** Marks the rows sent (those not marked yet), in one statement. */
export async function markSent(db: Executor, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await markIdsSent(db, now, locksRows(db) ? `{${ids.map(Math.trunc).join(',')}}` : JSON.stringify(ids));
}

/** The machine's pushes naming that code (created, deleted) queued in that second. */
export function codePushesAt(db: Executor, machineId: number, at: number, methods: readonly string[], codeId: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'method', 'body', 'created_at', 'sent_at'])
    .where('machine_id', '=', machineId)
    .where('created_at', '=', at)
    .where('method', 'in', [...methods])
    // The body's "id" field, as JSON writes it; not "product_id" (its quote comes after an underscore).
    .where('body', 'like', `%"id":"${Math.trunc(codeId)}"%`)
    .orderBy('id')
    .execute();
}

/** The machine's first push of `method` queued from that second on, if any. */
export function firstPushFrom(db: Executor, machineId: number, at: number, method: string) {
  return db
    .selectFrom('outbox')
    .select(['id', 'method', 'created_at', 'sent_at'])
    .where('machine_id', '=', machineId)
    .where('created_at', '>=', at)
    .where('method', '=', method)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .execute();
}

/**
 * How many pushes wait to be sent (to one machine, when given), and when the oldest of them
 * was written (null: none wait).
 * A range of the `outbox_unsent` index (sent_at first): its cost follows the rows waiting,
 * not the outbox's size, so the metrics may ask on every scrape.
 */
export async function unsentBacklog(db: Executor, machineId?: number): Promise<{ count: number; oldestAt: number | null }> {
  let query = db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest_at')])
    .where('sent_at', 'is', null);
  if (machineId !== undefined) query = query.where('machine_id', '=', machineId);
  const row = await query.executeTakeFirst();
  return { count: Number(row?.count ?? 0), oldestAt: row?.oldest_at == null ? null : Number(row.oldest_at) };
}
