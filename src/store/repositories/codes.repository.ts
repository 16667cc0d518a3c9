/**
 * Pickup codes. `liveAt` is the one SQL form of "live" (UNUSED and unexpired; the domain's
 * `visibleStatus` is its in-memory twin): every list of live codes filters through it.
 * Changes of status are conditional UPDATEs (`... where status = 'UNUSED'`): of a cancel and
 * a consume (or two cancels) of the same code, only the one whose UPDATE matched wins.
 */
import { sql, type QueryCreator } from 'kysely';
import type { CodeStatus, VisibleStatus } from '../../domain/pickup-codes.js';
import { CHUNK, locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Database, PickupCode } from '../schema.js';

export function liveAt(now: number) {
  return sql<boolean>`status = 'UNUSED' and (expired_at is null or expired_at > ${now})`;
}

/** What cancelling writes on a code: the soft delete and who did it, when, in which request. */
export interface CancelMark {
  at: number;
  by: string;
  /** Marks exactly the rows this cancel changed, even if another transaction changes codes meanwhile. */
  cancelId: string;
}

export function cancelledColumns(mark: CancelMark) {
  return { status: 'CANCELLED' as const, cancelled_at: mark.at, cancelled_by: mark.by, cancel_request_id: mark.cancelId };
}

export interface NewCode {
  machine_id: number;
  product_id: number;
  code: string;
  expired_at: number | null;
  created_at: number;
}

/**
 * Inserts the codes that do not clash with an UNUSED code of the machine (the partial unique
 * index refuses a clash, ON CONFLICT skips it); returns those inserted.
 */
export function insertUnlessTaken(db: Executor, codes: readonly NewCode[]): Promise<PickupCode[]> {
  return db
    .insertInto('pickup_codes')
    .values(codes.map((code) => ({ ...code, status: 'UNUSED' as const, quantity: 1 })))
    .onConflict((conflict) => conflict.columns(['machine_id', 'code']).where(sql<boolean>`status = 'UNUSED'`).doNothing())
    .returningAll()
    .execute();
}

/** The conditional UPDATE that cancels one code, the race's referee: it matches only while the code is an UNUSED code of the machine. */
export function cancelUnusedStatement(db: QueryCreator<Database>, mark: CancelMark, codeId: number, machineId: number) {
  return db.updateTable('pickup_codes').set(cancelledColumns(mark)).where('id', '=', codeId).where('machine_id', '=', machineId).where('status', '=', 'UNUSED').returning('machine_id');
}

const cancelUnusedCode = preparedQuery((db, at: number, by: string, cancelId: string, codeId: number, machineId: number) => cancelUnusedStatement(db, { at, by, cancelId }, codeId, machineId));

/** False when the code is not an UNUSED code of the machine (any more). */
export async function cancelIfUnused(db: Executor, machineId: number, codeId: number, mark: CancelMark): Promise<boolean> {
  return (await cancelUnusedCode(db, mark.at, mark.by, mark.cancelId, codeId, machineId)).length === 1;
}

const codeState = preparedQuery((db, codeId: number, machineId: number) =>
  db.selectFrom('pickup_codes').select(['id', 'status', 'order_id', 'expired_at']).where('id', '=', codeId).where('machine_id', '=', machineId),
);

export type CodeStateRow = Pick<PickupCode, 'id' | 'status' | 'order_id' | 'expired_at'>;

export async function findState(db: Executor, machineId: number, codeId: number): Promise<CodeStateRow | undefined> {
  return (await codeState(db, codeId, machineId))[0];
}

/** The machine's codes among `ids`, locked until the transaction ends on PostgreSQL. */
export async function findStatesForChange(db: Executor, machineId: number, ids: readonly number[]): Promise<Map<number, CodeStateRow>> {
  const found = new Map<number, CodeStateRow>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    let query = db
      .selectFrom('pickup_codes')
      .select(['id', 'status', 'order_id', 'expired_at'])
      .where('machine_id', '=', machineId)
      .where('id', 'in', ids.slice(start, start + CHUNK));
    if (locksRows(db)) query = query.forUpdate();
    for (const row of await query.execute()) found.set(row.id, row);
  }
  return found;
}

/** Cancels those of `ids` that are UNUSED codes of the machine; returns how many. */
export async function cancelIds(db: Executor, machineId: number, ids: readonly number[], mark: CancelMark): Promise<number> {
  let count = 0;
  for (let start = 0; start < ids.length; start += CHUNK) {
    const result = await db
      .updateTable('pickup_codes')
      .set(cancelledColumns(mark))
      .where('machine_id', '=', machineId)
      .where('id', 'in', ids.slice(start, start + CHUNK))
      .where('status', '=', 'UNUSED')
      .executeTakeFirst();
    count += Number(result.numUpdatedRows);
  }
  return count;
}

/** The UNUSED codes a bulk cancel walks: the machine's, or one product's of it. */
export interface CodeScope {
  machineId: number;
  productId?: number;
}

function unusedIn(db: Executor, scope: CodeScope) {
  let query = db.selectFrom('pickup_codes').where('machine_id', '=', scope.machineId).where('status', '=', 'UNUSED');
  if (scope.productId !== undefined) query = query.where('product_id', '=', scope.productId);
  return query;
}

/** The newest UNUSED code of the scope: a bulk cancel changes the codes up to it, not those made after it started. */
export async function newestUnusedId(db: Executor, scope: CodeScope): Promise<number | undefined> {
  return (await unusedIn(db, scope).select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())?.id;
}

/** The id that closes a step of `size` UNUSED codes after `after` (at most `upTo`). */
export async function stepEndId(db: Executor, scope: CodeScope, after: number, upTo: number, size: number): Promise<number> {
  const end = await unusedIn(db, scope)
    .select('id')
    .where('id', '>', after)
    .where('id', '<=', upTo)
    .orderBy('id')
    .limit(1)
    .offset(size - 1)
    .executeTakeFirst();
  return end?.id ?? upTo;
}

/** Cancels the UNUSED codes of the scope with ids in (after, through]; returns their ids. */
export async function cancelStep(db: Executor, scope: CodeScope, after: number, through: number, mark: CancelMark): Promise<number[]> {
  let query = db
    .updateTable('pickup_codes')
    .set(cancelledColumns(mark))
    .where('machine_id', '=', scope.machineId)
    .where('status', '=', 'UNUSED')
    .where('id', '>', after)
    .where('id', '<=', through);
  if (scope.productId !== undefined) query = query.where('product_id', '=', scope.productId);
  return (await query.returning('id').execute()).map((row) => row.id);
}

const useUnusedCode = preparedQuery((db, at: number, codeId: number) =>
  db.updateTable('pickup_codes').set({ status: 'USED', used_at: at }).where('id', '=', codeId).where('status', '=', 'UNUSED').returning('id'),
);

/** False when a concurrent cancel or consume changed the code first. */
export async function markUsedIfUnused(db: Executor, codeId: number, at: number): Promise<boolean> {
  return (await useUnusedCode(db, at, codeId)).length === 1;
}

/** False when the code is no longer in status `from`. */
export async function markUsedFrom(db: Executor, codeId: number, from: CodeStatus, at: number): Promise<boolean> {
  const result = await db.updateTable('pickup_codes').set({ status: 'USED', used_at: at }).where('id', '=', codeId).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const linkCodeToOrder = preparedQuery((db, orderId: number, codeId: number) => db.updateTable('pickup_codes').set({ order_id: orderId }).where('id', '=', codeId));

export async function linkToOrder(db: Executor, codeId: number, orderId: number): Promise<void> {
  await linkCodeToOrder(db, orderId, codeId);
}

export function findOfMachine(db: Executor, machineId: number, codeId: number): Promise<PickupCode | undefined> {
  return db.selectFrom('pickup_codes').selectAll().where('id', '=', codeId).where('machine_id', '=', machineId).executeTakeFirst();
}

/** How many live codes each product of the machine has (products without any are absent). */
export async function liveCountsByProduct(db: Executor, machineId: number, now: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('pickup_codes')
    .select(['product_id', (eb) => eb.fn.countAll<number>().as('live')])
    .where('machine_id', '=', machineId)
    .where(liveAt(now))
    .groupBy('product_id')
    .execute();
  return new Map(rows.map((row) => [row.product_id, Number(row.live)]));
}

/** The machine's live codes as its keypad list holds them, ascending id. */
export function liveOnMachine(db: Executor, machineId: number, now: number) {
  return db.selectFrom('pickup_codes').select(['id', 'product_id', 'code', 'quantity', 'expired_at']).where('machine_id', '=', machineId).where(liveAt(now)).orderBy('id').execute();
}

/**
 * The machine's codes created, used or cancelled at or after `since`, each with whether it is
 * live now, ascending id: what a machine back from an absence must hear of again.
 */
export async function changedOnMachineSince(db: Executor, machineId: number, since: number, now: number) {
  const rows = await db
    .selectFrom('pickup_codes')
    .select(['id', 'product_id', 'code', 'quantity', 'expired_at', liveAt(now).as('live')])
    .where('machine_id', '=', machineId)
    .where((eb) => eb.or([eb('created_at', '>=', since), eb('used_at', '>=', since), eb('cancelled_at', '>=', since)]))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, live: Boolean(row.live) }));
}

export interface CodeFilter {
  productId?: number | undefined;
  /** Codes starting with these digits; digits only, so it holds no LIKE wildcard. */
  codePrefix?: string | undefined;
  status: VisibleStatus | 'ALL';
  now: number;
}

function filtered(db: Executor, machineId: number, filter: CodeFilter) {
  let query = db.selectFrom('pickup_codes').where('machine_id', '=', machineId);
  if (filter.productId !== undefined) query = query.where('product_id', '=', filter.productId);
  if (filter.codePrefix !== undefined) query = query.where('code', 'like', `${filter.codePrefix}%`);
  switch (filter.status) {
    case 'UNUSED':
      return query.where(liveAt(filter.now));
    case 'EXPIRED':
      return query.where('status', '=', 'UNUSED').where('expired_at', '<=', filter.now);
    case 'USED':
    case 'CANCELLED':
      return query.where('status', '=', filter.status);
    case 'ALL':
      return query;
  }
}

/**
 * How many codes match, counting at most `cap` of them: the count walks every matching
 * row, so an uncapped one grows with the machine (1,000,000 codes took ~1.8 s a request).
 */
export async function countOfMachine(db: Executor, machineId: number, filter: CodeFilter, cap: number): Promise<number> {
  const { total } = await db
    .selectFrom(filtered(db, machineId, filter).select('id').limit(cap).as('matching'))
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(total);
}

/** A page in id order: the rows after `afterId` (keyset: as cheap on the last page as on the first), or after skipping `offset` rows. */
export function pageOfMachine(db: Executor, machineId: number, filter: CodeFilter, limit: number, from: { offset: number; afterId?: number | undefined }): Promise<PickupCode[]> {
  let query = filtered(db, machineId, filter).selectAll();
  if (from.afterId !== undefined) query = query.where('id', '>', from.afterId);
  return query.orderBy('id').limit(limit).offset(from.offset).execute();
}

/** How many live codes each of the merchant's machines has (or the one given); machines without any are absent. */
export async function liveCountsByMachine(db: Executor, merchantId: number, now: number, machineId?: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('pickup_codes')
    .select(['machine_id', (eb) => eb.fn.countAll<number>().as('live')])
    .where('machine_id', 'in', machineId !== undefined ? [machineId] : (eb) => eb.selectFrom('machines').select('id').where('merchant_id', '=', merchantId))
    .where(liveAt(now))
    .groupBy('machine_id')
    .execute();
  return new Map(rows.map((row) => [row.machine_id, Number(row.live)]));
}
