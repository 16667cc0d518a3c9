/**
 * The pickup-code use cases. Each runs in the Work it is given (opened at the edge, by the
 * route or the link handler, through the runner, service/runner.ts): it loads the state through
 * the repositories, asks the rules of src/domain/pickup-codes.ts for a decision, and applies
 * it (the change, its history and its pushes to the machine) in that one transaction, so
 * they commit or vanish together. A refusal is thrown as `Refused`.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  codesCreated,
  consumeRefusal,
  decideCancel,
  decideCancelAll,
  decideCancelMany,
  decideCancelProduct,
  decideConsume,
  decideCreate,
  decideCreateForAll,
  type BulkCancel,
  type CreatePlan,
} from '../domain/pickup-codes.js';
import type { LiveCodesLimit } from '../domain/live-codes-limit.js';
import * as codeChanges from '../store/repositories/code-changes.repository.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as consumes from '../store/repositories/consumes.repository.js';
import * as history from '../store/repositories/history.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { PickupCode } from '../store/schema.js';
import { CHUNK } from '../store/executor.js';
import type { Work } from '../store/store.js';
import { applyChange as apply } from './code-changes.js';
import { orderOf, recordPickupOrder, type PickupOrder } from './pickup-orders.js';
import { accepted, Refused } from './refused.js';

export type { PickupOrder };

export interface CreateOptions {
  codeLength: number;
  /** Unix seconds, or null for a code that never expires. */
  expiredAt: number | null;
  /** The merchant's cap on a product's live codes (domain/live-codes-limit.ts); off when absent. */
  liveCodesLimit?: LiveCodesLimit;
}

export async function createPickupCodes(
  work: Work,
  machine: MachineRef,
  productId: number,
  count: number,
  options: CreateOptions,
): Promise<PickupCode[]> {
  const { trx } = work;
  // Under a limit the product's row is locked, so two creates cannot both count the same room.
  const limit = options.liveCodesLimit ?? 'off';
  const product = await products.findForCreate(trx, machine.id, productId, limit !== 'off');
  const live = limit === 'off' || !product ? 0 : ((await codes.liveCountsByProduct(trx, machine.id, work.now)).get(productId) ?? 0);
  return insertCodes(work, machine, accepted(decideCreate(machine, product, count, { limit, live })), options);
}

export async function createPickupCodesForAllProducts(work: Work, machine: MachineRef, options: CreateOptions): Promise<PickupCode[]> {
  const { trx } = work;
  const stocked = await products.listStockedForCreate(trx, machine.id);
  const liveByProduct = await codes.liveCountsByProduct(trx, machine.id, work.now);
  return insertCodes(work, machine, accepted(decideCreateForAll(machine, stocked, liveByProduct)), options);
}

/** `length` decimal digits from a cryptographic source, never starting with 0. */
function drawCode(length: number): string {
  let code = String(randomInt(1, 10));
  for (let i = 1; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

async function insertCodes(work: Work, machine: MachineRef, plan: CreatePlan, options: CreateOptions): Promise<PickupCode[]> {
  const { trx } = work;
  const wanted: number[] = plan.create.flatMap(({ productId, count }) => Array<number>(count).fill(productId));
  const created: PickupCode[] = [];
  let fruitlessRounds = 0;
  while (wanted.length > 0) {
    const batch = wanted.splice(0, CHUNK);
    // Codes must be unique among the machine's UNUSED codes: a clash is skipped by the
    // store, and the skipped ones are drawn again.
    const drawn = new Set<string>();
    const rows = batch.map((productId) => {
      let code: string;
      do code = drawCode(options.codeLength);
      while (drawn.has(code));
      drawn.add(code);
      return { machine_id: machine.id, product_id: productId, code, expired_at: options.expiredAt, created_at: work.now };
    });
    const inserted = await codes.insertUnlessTaken(trx, rows);
    created.push(...inserted);
    if (inserted.length < batch.length) {
      const missing = new Map<number, number>();
      for (const row of rows) missing.set(row.product_id, (missing.get(row.product_id) ?? 0) + 1);
      for (const row of inserted) missing.set(row.product_id, missing.get(row.product_id)! - 1);
      for (const [productId, count] of missing) for (let i = 0; i < count; i++) wanted.push(productId);
      fruitlessRounds = inserted.length === 0 ? fruitlessRounds + 1 : 0;
      if (fruitlessRounds >= 20) throw new Refused({ refused: 'code-space-exhausted' });
    }
    // A create of 100,000 codes must not hold other merchants' requests (see Work.pause).
    if (wanted.length > 0) await work.pause();
  }
  created.sort((a, b) => a.id - b.id);
  await apply(work, machine, codesCreated(created, machine.time_zone));
  return created;
}

/** Marks what a cancel writes on the codes it changes: when, by whom, in which request. */
function cancelMark(work: Work, cancelId: string): codes.CancelMark {
  return { at: work.now, by: work.author.actor, cancelId };
}

/**
 * Cancels one code of the machine. Works whatever the feature switch says and whether
 * the machine is online: a merchant must always be able to revoke a code.
 */
export async function cancelPickupCode(work: Work, machine: MachineRef, codeId: number): Promise<void> {
  // The conditional UPDATE is the race's referee: when it matched, the code was UNUSED, and
  // what cancelling an UNUSED code writes (history, push) is known before it, so it is
  // written with it (one statement on PostgreSQL). Only when it did not match is the code
  // read, to say why.
  const change = accepted(decideCancel(codeId, { status: 'UNUSED', order_id: null }));
  const mark = cancelMark(work, work.author.requestId ?? randomUUID());
  if (await codeChanges.cancelIfUnused(work, machine.id, codeId, mark, change)) return;
  const state = await codes.findState(work.trx, machine.id, codeId);
  await apply(work, machine, accepted(decideCancel(codeId, state)));
}

/**
 * `pickup_code.delete.ids`: the codes with these ids, all or nothing. The codes are read
 * (locked on PostgreSQL) and judged first; a refusal names the first id that is not an
 * UNUSED code of the machine, and nothing is cancelled.
 */
export async function cancelPickupCodesByIds(work: Work, machine: MachineRef, ids: number[]): Promise<number> {
  const { trx } = work;
  const states = await codes.findStatesForChange(trx, machine.id, ids);
  const decision = accepted(decideCancelMany(ids, states));
  const count = await codes.cancelIds(trx, machine.id, decision.cancel, cancelMark(work, randomUUID()));
  // Only a code changed since it was read (SQLite never; PostgreSQL holds the locks) could differ.
  if (count !== decision.cancel.length) throw new Error('pickup codes changed while being cancelled');
  await apply(work, machine, decision);
  return count;
}

/** Codes per step of a bulk change: one step holds the event loop for milliseconds, not seconds. */
export const BULK_STEP = 1000;

/**
 * Cancels every UNUSED code of the scope (expired ones included) that exists when it starts,
 * all or nothing: one transaction, walked in steps of BULK_STEP codes in id order with a
 * pause for other requests between steps, so 100,000 codes neither sit in memory at once
 * nor stall every other merchant.
 */
async function cancelInSteps(work: Work, machine: MachineRef, scope: codes.CodeScope, bulk: BulkCancel): Promise<number> {
  const { trx } = work;
  const newest = await codes.newestUnusedId(trx, scope);
  if (newest === undefined) return 0;
  // A fresh id marks exactly the rows this cancel changed, for the history rows, even if
  // another transaction cancels or creates codes in between.
  const mark = cancelMark(work, randomUUID());
  let count = 0;
  for (let after = 0; after < newest; ) {
    const through = await codes.stepEndId(trx, scope, after, newest, BULK_STEP);
    const ids = await codes.cancelStep(trx, scope, after, through, mark);
    const marked = { machineId: machine.id, cancelId: mark.cancelId, after, through };
    await history.recordForMarked(trx, { ...bulk.transition, from: 'UNUSED' }, work.author, marked);
    // One delete per code (cancelledMessages' form); the dispatcher makes one sync of them for an extended machine.
    if (ids.length > 0) await outbox.enqueueDeletesForMarked(work, marked, work.now);
    count += ids.length;
    after = through;
    if (after < newest) await work.pause();
  }
  return count;
}

/** `pickup_code.delete.all`: every UNUSED code of the machine. */
export function cancelAllPickupCodes(work: Work, machine: MachineRef): Promise<number> {
  const { trx } = work;
  return cancelInSteps(work, machine, { machineId: machine.id }, decideCancelAll());
}

/** `pickup_code.delete.product`: every UNUSED code of one product of the machine. */
export async function cancelProductPickupCodes(work: Work, machine: MachineRef, productId: number): Promise<number> {
  const { trx } = work;
  const bulk = accepted(decideCancelProduct(await products.isOfMachine(trx, machine.id, productId)));
  return cancelInSteps(work, machine, { machineId: machine.id, productId }, bulk);
}

export interface ConsumeRequest {
  code: string;
  productId: number;
  tradeId: string;
  notifyUrl: string;
}

function asEarlierConsume(earlier: orders.OrderWithTradeId | undefined) {
  return earlier && { machineId: earlier.machine_id, code: earlier.code, productId: earlier.product_id, notifyUrl: earlier.notify_url };
}

/** Consumes a code through the Open API: code USED, an order PICKUPCODE, stock − 1, atomically. */
export async function consumePickupCode(work: Work, machine: MachineRef, request: ConsumeRequest): Promise<PickupOrder> {
  const { trx } = work;
  // The code and the trade_id on one snapshot: a twin of this consume that commits after it is
  // met by the UPDATE that spends the code (afterLostRace), never taken for another consume of it.
  const { code, earlier } = await consumes.findForConsume(trx, machine, request.productId, request.code, request.tradeId);
  const decision = accepted(decideConsume(machine, code, asEarlierConsume(earlier), asked(machine, request), work.now));
  if ('repeat' in decision) return orderOf(earlier!, request.tradeId);
  const spent = await consumes.takeStockAndUseCode(trx, request.productId, code!.id, work.now);
  if (spent === 'out-of-stock') throw new Refused({ refused: 'out-of-stock' });
  if (spent === 'code-changed') return afterLostRace(work, machine, code!.id, request);
  await apply(work, machine, decision);
  const order = await recordPickupOrder(work, machine, code!, spent.priceCents, request);
  // A consume with this trade_id committed between this one's lookup and its insert (in
  // another batch, or on another instance). It spent another code (this one's UPDATE won
  // this code), so it asked for something else: the trade_id is reused, and the refusal
  // rolls back what this attempt wrote (the code, the stock, the history, the push).
  if (!order) throw new Refused({ refused: 'trade-id-reused' });
  return order;
}

/**
 * The answer of a consume whose code changed between its read and its UPDATE. To a twin of
 * this very consume (same trade_id, sent again while the first ran; on PostgreSQL they run
 * side by side) it is the twin's order, and the item this attempt took from stock goes back.
 * Otherwise a cancel or another consume won: the refusal says what the code became, and the
 * transaction rolls back what this attempt wrote.
 */
async function afterLostRace(work: Work, machine: MachineRef, codeId: number, request: ConsumeRequest): Promise<PickupOrder> {
  const { trx } = work;
  const twin = await orders.findByTradeId(trx, machine.merchant_id, request.tradeId);
  if (twin) {
    await products.putBackOne(trx, request.productId);
    // With an earlier order the only decision short of a refusal is the repeat.
    accepted(decideConsume(machine, undefined, asEarlierConsume(twin), asked(machine, request), work.now));
    return orderOf(twin, request.tradeId);
  }
  throw new Refused(consumeRefusal(await codes.findState(trx, machine.id, codeId), work.now) ?? { refused: 'not-found' });
}

function asked(machine: MachineRef, request: ConsumeRequest) {
  return { machineId: machine.id, code: request.code, productId: request.productId, notifyUrl: request.notifyUrl };
}
