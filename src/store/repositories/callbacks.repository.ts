/**
 * The callback queue (docs/callbacks.md): shared by every instance through the database.
 * An attempt is claimed by one conditional UPDATE (due, and not held by a live claim): on
 * PostgreSQL the rows are picked with SKIP LOCKED, and should two instances still meet on a
 * row the loser's UPDATE re-reads it after the winner commits and no longer matches; SQLite
 * runs the same rule. A claim is a lease: a sender that died lets go when it ends.
 */
import type { CallbackKind, CallbackState } from '../../domain/callbacks.js';
import type { ExpressionBuilder, Selectable } from 'kysely';
import { locksRows, type Executor } from '../executor.js';
import type { Work } from '../work.js';
import type { Database } from '../schema.js';

export type Callback = Selectable<Database['callbacks']>;
export type CallbackAttempt = Selectable<Database['callback_attempts']>;

export interface NewCallback {
  merchantId: number;
  kind: CallbackKind;
  eventId: string;
  eventType: string;
  url: string;
  body: string;
  orderId: number | null;
  recordId: number | null;
  deliveryId: number | null;
  now: number;
}

/** Queues the callback in the change's transaction; the sender takes it once it commits. */
export async function enqueue(work: Work, callback: NewCallback): Promise<number> {
  work.queueCallbacks();
  const db = work.trx;
  const row = await db
    .insertInto('callbacks')
    .values({
      merchant_id: callback.merchantId,
      kind: callback.kind,
      event_id: callback.eventId,
      event_type: callback.eventType,
      url: callback.url,
      body: callback.body,
      order_id: callback.orderId,
      record_id: callback.recordId,
      delivery_id: callback.deliveryId,
      state: 'pending',
      scheduled_from: callback.now,
      next_attempt_at: callback.now,
      created_at: callback.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The claim rule: waiting for an attempt, due, and not held by a live claim. */
function dueAndFree(now: number) {
  return (eb: ExpressionBuilder<Database, 'callbacks'>) =>
    eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
}

/**
 * Takes up to `limit` due callbacks that nobody holds, oldest due first, for one attempt each
 * until `until`, in one statement. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`,
 * so instances racing for the queue take different rows instead of waiting on each other; the
 * outer conditions are the claim rule itself, so a row is only ever taken while due and free.
 */
export function claimDue(db: Executor, now: number, until: number, token: string, limit: number): Promise<Callback[]> {
  const free = dueAndFree(now);
  // Materialized, so the pick runs once. Inlined as `id in (select … limit n for update)`,
  // PostgreSQL may run the pick again for each row it updates; a row just claimed is no
  // longer free then, so each run picks further rows and the limit is exceeded.
  return db
    .with(
      (name) => name('due').materialized(),
      (cte) => {
        const due = cte.selectFrom('callbacks').select('id').where(free).orderBy('next_attempt_at').orderBy('id').limit(limit);
        return locksRows(db) ? due.forUpdate().skipLocked() : due;
      },
    )
    .updateTable('callbacks')
    .set({ claimed_until: until, claim_token: token })
    .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
    .where(free)
    .returningAll()
    .execute();
}

/** Takes this one callback for one attempt until `until` under the same rule; undefined when it is held or not due. */
export function claim(db: Executor, id: number, now: number, until: number, token: string): Promise<Callback | undefined> {
  return db.updateTable('callbacks').set({ claimed_until: until, claim_token: token }).where('id', '=', id).where(dueAndFree(now)).returningAll().executeTakeFirst();
}

export interface AttemptResult {
  startedAt: number;
  latencyMs: number;
  httpStatus: number | null;
  error: string | null;
  /** The callback's state after this attempt, and when the next one is due if pending. */
  state: CallbackState;
  nextAttemptAt: number | null;
  finishedAt: number | null;
}

/**
 * Records an attempt made under the claim `token` and releases the callback; false (nothing
 * written) when the claim was lost meanwhile (its lease ended and another instance took it).
 */
export async function finishAttempt(db: Executor, callback: Pick<Callback, 'id' | 'attempts'>, token: string, result: AttemptResult): Promise<boolean> {
  const updated = await db
    .updateTable('callbacks')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      state: result.state,
      next_attempt_at: result.nextAttemptAt ?? eb.ref('next_attempt_at'),
      finished_at: result.finishedAt,
      claimed_until: null,
      claim_token: null,
    }))
    .where('id', '=', callback.id)
    .where('claim_token', '=', token)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await db
    .insertInto('callback_attempts')
    .values({
      callback_id: callback.id,
      attempt: callback.attempts + 1,
      started_at: result.startedAt,
      latency_ms: result.latencyMs,
      http_status: result.httpStatus,
      error: result.error,
      outcome: result.state === 'delivered' ? 'delivered' : result.state === 'failed' ? 'failed' : 'retry',
    })
    .execute();
  return true;
}

/** Queues the callback again now, with a fresh 24-hour schedule; false when there is no such callback (of that merchant). */
export async function requeue(work: Work, id: number, now: number, merchantId?: number): Promise<boolean> {
  work.queueCallbacks();
  let query = work.trx
    .updateTable('callbacks')
    // A claim in hand is left alone: that attempt is recorded when it ends, and the next one is due at once.
    .set({ state: 'pending', scheduled_from: now, next_attempt_at: now, finished_at: null })
    .where('id', '=', id);
  if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
  return Number((await query.executeTakeFirst()).numUpdatedRows) > 0;
}

/** The callbacks of an order (of that merchant, when given), oldest first. */
export function ofOrder(db: Executor, orderId: number, merchantId?: number): Promise<Callback[]> {
  let query = db.selectFrom('callbacks').selectAll().where('order_id', '=', orderId);
  if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
  return query.orderBy('id').execute();
}

/** Every attempt at these callbacks, in order. */
export async function attemptsOf(db: Executor, callbackIds: number[]): Promise<CallbackAttempt[]> {
  if (callbackIds.length === 0) return [];
  return db.selectFrom('callback_attempts').selectAll().where('callback_id', 'in', callbackIds).orderBy('callback_id').orderBy('attempt').execute();
}

/**
 * Deletes up to `limit` attempts that started before `before`, oldest first; the number
 * deleted. The callback keeps its count of attempts and its state.
 */
export async function purgeAttemptsBefore(db: Executor, before: number, limit: number): Promise<number> {
  const oldest = db.selectFrom('callback_attempts').select('id').where('started_at', '<', before).orderBy('started_at').orderBy('id').limit(limit);
  const result = await db.deleteFrom('callback_attempts').where('id', 'in', oldest).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes up to `limit` merchant events that finished (delivered, or given up) before
 * `before` and have no attempt left, oldest first; the number deleted. Callbacks to an
 * order's notify_url stay: the order's answer counts them (order_get.md `notify_send_count`).
 * The outer conditions are checked again on the row itself, so an event re-sent meanwhile
 * (pending again) is kept.
 */
export async function purgeFinishedEventsBefore(db: Executor, before: number, limit: number): Promise<number> {
  const finished = (eb: ExpressionBuilder<Database, 'callbacks'>) =>
    eb.and([
      eb('kind', '=', 'event'),
      eb('state', '!=', 'pending'),
      eb('finished_at', '<', before),
      eb.not(eb.exists(eb.selectFrom('callback_attempts').select('callback_attempts.id').whereRef('callback_attempts.callback_id', '=', 'callbacks.id'))),
    ]);
  const oldest = db.selectFrom('callbacks').select('id').where(finished).orderBy('finished_at').orderBy('id').limit(limit);
  const result = await db.deleteFrom('callbacks').where('id', 'in', oldest).where(finished).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface NotifyCounts {
  /** Attempts made at the order's notify_url (order_get.md `notify_send_count`). */
  sendCount: number;
  /** Records whose delivery result reached the notify_url with a 2xx (record `notify_sent`). */
  deliveredRecordIds: Set<number>;
}

/** What `POST /orders/{id}` shows of the order's notify_url callbacks. */
export async function notifyCountsOfOrder(db: Executor, orderId: number): Promise<NotifyCounts> {
  const rows = await db
    .selectFrom('callbacks')
    .select(['record_id', 'state', 'attempts'])
    .where('order_id', '=', orderId)
    .where('kind', '=', 'notify')
    .execute();
  const deliveredRecordIds = new Set<number>();
  let sendCount = 0;
  for (const row of rows) {
    sendCount += row.attempts;
    if (row.state === 'delivered' && row.record_id !== null) deliveredRecordIds.add(row.record_id);
  }
  return { sendCount, deliveredRecordIds };
}

/** How many callbacks wait for an attempt (the metrics): a range of the `callbacks_due` index (state first). */
export async function countPending(db: Executor): Promise<number> {
  const row = await db.selectFrom('callbacks').select((eb) => eb.fn.countAll<number>().as('count')).where('state', '=', 'pending').executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The merchant's latest callbacks (before `beforeId` when given), newest first: the `callbacks_by_merchant` index. */
export function latestOfMerchant(db: Executor, merchantId: number, limit: number, beforeId?: number): Promise<Callback[]> {
  let query = db.selectFrom('callbacks').selectAll().where('merchant_id', '=', merchantId);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}
