/**
 * The pickup-code use cases: each runs inside the transaction it is given, applies the
 * rules of src/domain/pickup-codes.ts, and writes its history and outbox rows alongside
 * the change, so a change, its record and its push to the machine commit or vanish together.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { preparedQuery } from '../store/prepared.js';
import {
  assertConsumable,
  cancelRefusal,
  codesToTopUp,
  drawCode,
  PICKUP_ORDER_STATUS,
  PICKUP_RECORD_STATUS,
  SYNC_INSTEAD_OF_DELETES_ABOVE,
} from '../domain/pickup-codes.js';
import { ApiError, ErrorCode, invalidField } from '../protocol/errors.js';
import type { CodeStatus, Database, PickupCode } from '../store/schema.js';
import { pauseForOtherRequests, type Tx } from '../store/store.js';
import type { ChangeContext, MachineRef } from './context.js';
import { codeForMachine, enqueueForMachine, MACHINE_METHOD, syncMessage, type OutboxMessage } from './outbox.js';

export interface CreateOptions {
  codeLength: number;
  /** Unix seconds, or null for a code that never expires. */
  expiredAt: number | null;
}

function assertPickupCodesEnabled(machine: MachineRef): void {
  if (!machine.pickup_codes_enabled) throw new ApiError(ErrorCode.PICKUP_CODES_DISABLED);
}

/**
 * Unexpired UNUSED codes: the ones a customer could still type in. The one SQL form of
 * that rule (domain/pickup-codes.ts `visibleStatus` is its in-memory twin): every list a
 * merchant or a machine gets of live codes filters through it.
 */
export function liveAt(now: number) {
  return sql<boolean>`status = 'UNUSED' and (expired_at is null or expired_at > ${now})`;
}

function lockProducts<Q extends { forUpdate(): Q }>(query: Q, context: ChangeContext): Q {
  // SQLite serialises writers already; PostgreSQL needs the row lock so that two
  // concurrent creates cannot both count the same free stock.
  return context.dialect === 'postgres' ? query.forUpdate() : query;
}

export async function createPickupCodes(
  trx: Tx,
  context: ChangeContext,
  machine: MachineRef,
  productId: number,
  count: number,
  options: CreateOptions,
): Promise<PickupCode[]> {
  assertPickupCodesEnabled(machine);
  const product = await lockProducts(
    trx.selectFrom('products').select(['id', 'on_sale', 'capacity']).where('id', '=', productId).where('machine_id', '=', machine.id),
    context,
  ).executeTakeFirst();
  if (!product) throw new ApiError(ErrorCode.PRODUCT_NOT_FOUND);
  if (!product.on_sale) throw new ApiError(ErrorCode.PRODUCT_OFF_SALE);
  if (count > product.capacity) throw invalidField('count', `must be at most the product's capacity (${product.capacity})`);
  return insertCodes(trx, context, machine, [{ productId, count }], options);
}

export async function createPickupCodesForAllProducts(
  trx: Tx,
  context: ChangeContext,
  machine: MachineRef,
  options: CreateOptions,
): Promise<PickupCode[]> {
  assertPickupCodesEnabled(machine);
  const products = await lockProducts(
    trx
      .selectFrom('products')
      .select(['id', 'inventory'])
      .where('machine_id', '=', machine.id)
      .where('on_sale', '=', 1)
      .where('inventory', '>', 0)
      .orderBy('id'),
    context,
  ).execute();
  const liveCounts = await trx
    .selectFrom('pickup_codes')
    .select(['product_id', (eb) => eb.fn.countAll<number>().as('live')])
    .where('machine_id', '=', machine.id)
    .where(liveAt(context.now))
    .groupBy('product_id')
    .execute();
  const liveByProduct = new Map(liveCounts.map((row) => [row.product_id, Number(row.live)]));
  const plan = products.map((product) => ({
    productId: product.id,
    count: codesToTopUp(product.inventory, liveByProduct.get(product.id) ?? 0),
  }));
  return insertCodes(trx, context, machine, plan, options);
}

/** Rows per INSERT, well under SQLite's limit on bound parameters. */
const CHUNK = 500;

async function insertCodes(
  trx: Tx,
  context: ChangeContext,
  machine: MachineRef,
  plan: Array<{ productId: number; count: number }>,
  options: CreateOptions,
): Promise<PickupCode[]> {
  const wanted: number[] = plan.flatMap(({ productId, count }) => Array<number>(count).fill(productId));
  const created: PickupCode[] = [];
  let fruitlessRounds = 0;
  while (wanted.length > 0) {
    const batch = wanted.splice(0, CHUNK);
    // Codes must be unique among the machine's UNUSED codes: the partial unique index
    // refuses a clash, ON CONFLICT skips it, and the skipped ones are drawn again.
    const drawn = new Set<string>();
    const rows = batch.map((productId) => {
      let code: string;
      do code = drawCode(options.codeLength);
      while (drawn.has(code));
      drawn.add(code);
      return {
        machine_id: machine.id,
        product_id: productId,
        code,
        status: 'UNUSED' as const,
        quantity: 1,
        expired_at: options.expiredAt,
        created_at: context.now,
      };
    });
    const inserted = await trx
      .insertInto('pickup_codes')
      .values(rows)
      .onConflict((conflict) => conflict.columns(['machine_id', 'code']).where(sql<boolean>`status = 'UNUSED'`).doNothing())
      .returningAll()
      .execute();
    created.push(...inserted);
    if (inserted.length < batch.length) {
      const missing = new Map<number, number>();
      for (const row of rows) missing.set(row.product_id, (missing.get(row.product_id) ?? 0) + 1);
      for (const row of inserted) missing.set(row.product_id, missing.get(row.product_id)! - 1);
      for (const [productId, count] of missing) for (let i = 0; i < count; i++) wanted.push(productId);
      fruitlessRounds = inserted.length === 0 ? fruitlessRounds + 1 : 0;
      if (fruitlessRounds >= 20) throw invalidField('code_length', 'is too short for this many codes');
    }
    // A create of 100,000 codes must not hold other merchants' requests (see pauseForOtherRequests).
    if (wanted.length > 0) await pauseForOtherRequests();
  }
  created.sort((a, b) => a.id - b.id);
  await recordHistory(
    trx,
    context,
    created.map((code) => code.id),
    { action: 'create', from: null, to: 'UNUSED' },
  );
  const messages: OutboxMessage[] =
    created.length > SYNC_INSTEAD_OF_DELETES_ABOVE
      ? [syncMessage()]
      : created.map((code) => ({
          method: MACHINE_METHOD.CODE_CREATED,
          fields: { ...codeForMachine(code, machine.time_zone), used: '0' },
        }));
  if (created.length > 0) await enqueueForMachine(trx, machine.id, messages, context.now);
  return created;
}

interface Transition {
  action: string;
  from: CodeStatus | null;
  to: CodeStatus;
  detail?: string;
}

const insertHistoryRow = preparedQuery(
  (db, pickupCodeId: number, action: string, from: CodeStatus | null, to: CodeStatus, actor: string, requestId: string | null, detail: string | null, at: number) =>
    db.insertInto('code_history').values({
      pickup_code_id: pickupCodeId,
      action,
      from_status: from,
      to_status: to,
      actor,
      request_id: requestId,
      detail,
      at,
    }),
);

async function recordHistory(trx: Tx, context: ChangeContext, codeIds: number[], transition: Transition): Promise<void> {
  if (codeIds.length === 1) {
    const { action, from, to, detail } = transition;
    await insertHistoryRow(trx, codeIds[0]!, action, from, to, context.actor.name, context.actor.requestId, detail ?? null, context.now);
    return;
  }
  for (let start = 0; start < codeIds.length; start += CHUNK) {
    const values = codeIds.slice(start, start + CHUNK).map((id) => ({
      pickup_code_id: id,
      action: transition.action,
      from_status: transition.from,
      to_status: transition.to,
      actor: context.actor.name,
      request_id: context.actor.requestId,
      detail: transition.detail ?? null,
      at: context.now,
    }));
    if (values.length > 0) await trx.insertInto('code_history').values(values).execute();
    if (start + CHUNK < codeIds.length) await pauseForOtherRequests();
  }
}

/** What cancelling writes on a code: the soft delete and who did it, when, in which request. */
function cancelledColumns(at: number, by: string, cancelId: string) {
  return { status: 'CANCELLED' as const, cancelled_at: at, cancelled_by: by, cancel_request_id: cancelId };
}

const cancelUnusedCode = preparedQuery((db, at: number, by: string, requestId: string, codeId: number, machineId: number) =>
  db
    .updateTable('pickup_codes')
    .set(cancelledColumns(at, by, requestId))
    .where('id', '=', codeId)
    .where('machine_id', '=', machineId)
    .where('status', '=', 'UNUSED')
    .returning('id'),
);

const codeOutcome = preparedQuery((db, codeId: number, machineId: number) =>
  db.selectFrom('pickup_codes').select(['status', 'order_id', 'expired_at']).where('id', '=', codeId).where('machine_id', '=', machineId),
);

/**
 * Cancels one code of the machine. Works whatever the feature switch says and whether
 * the machine is online: a merchant must always be able to revoke a code.
 */
export async function cancelPickupCode(trx: Tx, context: ChangeContext, machine: MachineRef, codeId: number): Promise<void> {
  // The status condition makes this the race's referee: of a cancel and a consume (or
  // two cancels) of the same code, only the one whose UPDATE matched wins.
  const [cancelled] = await cancelUnusedCode(trx, context.now, context.actor.name, context.actor.requestId ?? randomUUID(), codeId, machine.id);
  if (!cancelled) {
    const [code] = await codeOutcome(trx, codeId, machine.id);
    throw cancelRefusal(code);
  }
  await recordHistory(trx, context, [codeId], { action: 'cancel', from: 'UNUSED', to: 'CANCELLED' });
  await enqueueForMachine(trx, machine.id, [{ method: MACHINE_METHOD.CODE_DELETED, fields: { id: String(codeId) } }], context.now);
}

/** Codes per step of a bulk change: one step holds the event loop for milliseconds, not seconds. */
export const BULK_STEP = 2000;

const newestUnusedCode = preparedQuery((db, machineId: number) =>
  db.selectFrom('pickup_codes').select('id').where('machine_id', '=', machineId).where('status', '=', 'UNUSED').orderBy('id', 'desc').limit(1),
);

/** The id that closes a step: the code `skip` places after the step's first, if there is one. */
const stepEnd = preparedQuery((db, machineId: number, after: number, upTo: number, skip: number) =>
  db
    .selectFrom('pickup_codes')
    .select('id')
    .where('machine_id', '=', machineId)
    .where('status', '=', 'UNUSED')
    .where('id', '>', after)
    .where('id', '<=', upTo)
    .orderBy('id')
    .limit(1)
    .offset(skip),
);

const cancelStep = preparedQuery((db, at: number, by: string, cancelId: string, machineId: number, after: number, through: number) =>
  db
    .updateTable('pickup_codes')
    .set(cancelledColumns(at, by, cancelId))
    .where('machine_id', '=', machineId)
    .where('status', '=', 'UNUSED')
    .where('id', '>', after)
    .where('id', '<=', through)
    .returning('id'),
);

const recordCancelStep = preparedQuery(
  (db, actor: string, requestId: string | null, at: number, machineId: number, cancelId: string, after: number, through: number) =>
    db
      .insertInto('code_history')
      .columns(['pickup_code_id', 'action', 'from_status', 'to_status', 'actor', 'request_id', 'detail', 'at'])
      .expression((eb) =>
        eb
          .selectFrom('pickup_codes')
          .select([
            'id',
            sql.lit('cancel').as('action'),
            sql.lit('UNUSED').as('from_status'),
            sql.lit('CANCELLED').as('to_status'),
            sql.val(actor).as('actor'),
            sql.val(requestId).as('request_id'),
            sql.lit('cancel all').as('detail'),
            sql.val(at).as('at'),
          ])
          .where('machine_id', '=', machineId)
          .where('status', '=', 'CANCELLED')
          .where('id', '>', after)
          .where('id', '<=', through)
          .where('cancel_request_id', '=', cancelId),
      ),
);

/**
 * Cancels every UNUSED code of the machine (expired ones included) that exists when it
 * starts, all or nothing: one transaction, walked in steps of BULK_STEP codes in id order
 * with a pause for other requests between steps, so 100,000 codes neither sit in memory at
 * once nor stall every other merchant.
 */
export async function cancelAllPickupCodes(trx: Tx, context: ChangeContext, machine: MachineRef): Promise<number> {
  const [newest] = await newestUnusedCode(trx, machine.id);
  if (!newest) return 0;
  // A fresh id marks exactly the rows this cancel-all cancelled, for the history rows,
  // even if another transaction cancels or creates codes in between.
  const cancelId = randomUUID();
  const { name: actor, requestId } = context.actor;
  const cancelled: number[] = [];
  let count = 0;
  for (let after = 0; after < newest.id; ) {
    const [end] = await stepEnd(trx, machine.id, after, newest.id, BULK_STEP - 1);
    const through = end?.id ?? newest.id;
    const ids = await cancelStep(trx, context.now, actor, cancelId, machine.id, after, through);
    await recordCancelStep(trx, actor, requestId, context.now, machine.id, cancelId, after, through);
    count += ids.length;
    // Only a few are pushed one by one; past that the machine gets one sync.
    if (count <= SYNC_INSTEAD_OF_DELETES_ABOVE) cancelled.push(...ids.map(({ id }) => id));
    after = through;
    if (after < newest.id) await pauseForOtherRequests();
  }
  if (count === 0) return 0;
  const messages: OutboxMessage[] =
    count > SYNC_INSTEAD_OF_DELETES_ABOVE
      ? [syncMessage()]
      : cancelled.sort((a, b) => a - b).map((id) => ({ method: MACHINE_METHOD.CODE_DELETED, fields: { id: String(id) } }));
  await enqueueForMachine(trx, machine.id, messages, context.now);
  return count;
}

export interface ConsumeRequest {
  code: string;
  productId: number;
  tradeId: string;
  notifyUrl: string;
}

export interface PickupOrder {
  orderId: number;
  tradeId: string | null;
  amountCents: number;
  createdAt: number;
  pickupCodeId: number;
  record: { id: number; productId: number; quantity: number; priceCents: number; status: string };
}

// The live code first, through the partial unique index on the machine's UNUSED codes
// (the literal status lets the planner use it); only when there is none, the latest used
// or cancelled one, to say why. Looking for both at once scanned every code the machine had.
const liveCode = preparedQuery((db, machineId: number, code: string, productId: number) =>
  db
    .selectFrom('pickup_codes')
    .selectAll()
    .where('machine_id', '=', machineId)
    .where('code', '=', code)
    .where(sql<boolean>`status = 'UNUSED'`)
    .where('product_id', '=', productId),
);

const latestCode = preparedQuery((db, machineId: number, productId: number, code: string) =>
  db
    .selectFrom('pickup_codes')
    .selectAll()
    .where('machine_id', '=', machineId)
    .where('product_id', '=', productId)
    .where('code', '=', code)
    .orderBy('id', 'desc')
    .limit(1),
);

// A consume's trade_id is its natural key: the order it made, with what a repeat must match.
const orderWithTradeId = preparedQuery((db, merchantId: number, tradeId: string) =>
  db
    .selectFrom('orders')
    .innerJoin('pickup_codes', 'pickup_codes.id', 'orders.pickup_code_id')
    .innerJoin('order_records', 'order_records.order_id', 'orders.id')
    .select([
      'orders.id as order_id',
      'orders.machine_id',
      'orders.notify_url',
      'orders.amount_cents',
      'orders.created_at',
      'pickup_codes.id as pickup_code_id',
      'pickup_codes.code',
      'order_records.id as record_id',
      'order_records.product_id',
      'order_records.quantity',
      'order_records.price_cents',
      'order_records.status as record_status',
    ])
    .where('orders.merchant_id', '=', merchantId)
    .where('orders.trade_id', '=', tradeId),
);

type EarlierOrder = Awaited<ReturnType<typeof orderWithTradeId>>[number];

/**
 * A consume whose trade_id made an order already. Asking for the same (machine, code,
 * product, notify_url), it is a retry and gets that order again, as its first answer was;
 * asking for anything else, the trade_id is reused, which stays a 10001.
 */
function repeatedConsume(earlier: EarlierOrder, machine: MachineRef, request: ConsumeRequest): PickupOrder {
  const same =
    earlier.machine_id === machine.id && earlier.code === request.code && earlier.product_id === request.productId && earlier.notify_url === request.notifyUrl;
  if (!same) throw invalidField('trade_id', 'has been used already');
  return {
    orderId: earlier.order_id,
    tradeId: request.tradeId,
    amountCents: earlier.amount_cents,
    createdAt: earlier.created_at,
    pickupCodeId: earlier.pickup_code_id,
    record: { id: earlier.record_id, productId: earlier.product_id, quantity: earlier.quantity, priceCents: earlier.price_cents, status: earlier.record_status },
  };
}

const putBackInStock = preparedQuery((db, productId: number) =>
  db.updateTable('products').set((eb) => ({ inventory: eb('inventory', '+', 1) })).where('id', '=', productId),
);

const takeOneFromStock = preparedQuery((db, productId: number) =>
  db
    .updateTable('products')
    .set((eb) => ({ inventory: eb('inventory', '-', 1) }))
    .where('id', '=', productId)
    .where('inventory', '>=', 1)
    .returning('price_cents'),
);

/** Consumes a code through the Open API: code USED, an order PICKUPCODE, stock − 1, atomically. */
export async function consumePickupCode(trx: Tx, context: ChangeContext, machine: MachineRef, request: ConsumeRequest): Promise<PickupOrder> {
  // The live code first, through the partial unique index on the machine's UNUSED codes
  // (the literal status lets the planner use it); only when there is none, the latest
  // used or cancelled one, to say why. Looking for both at once scanned every code the
  // machine ever had.
  const code =
    (await liveCode(trx, machine.id, request.code, request.productId))[0] ?? (await latestCode(trx, machine.id, request.productId, request.code))[0];
  // The trade_id after the code: a twin of this consume that commits in between is seen by
  // this lookup (or, later still, by afterLostRace), never taken for another consume of
  // the code. Before the machine's state: a retry of a consume that went through gets its
  // order even if the machine stopped operating since.
  const [earlier] = await orderWithTradeId(trx, machine.merchant_id, request.tradeId);
  if (earlier) return repeatedConsume(earlier, machine, request);
  assertPickupCodesEnabled(machine);
  if (!machine.operating) throw new ApiError(ErrorCode.MACHINE_NOT_OPERATING);
  assertConsumable(code, context.now);
  const [product] = await takeOneFromStock(trx, request.productId);
  if (!product) throw new ApiError(ErrorCode.PRODUCT_OUT_OF_STOCK);
  if (!(await markUsed(trx, context, code!))) return afterLostRace(trx, context, machine, code!, request);
  const order = await recordPickupOrder(trx, context, machine, code!, product.price_cents, request);
  // The code is spent: the machine drops it from its keypad list.
  await enqueueForMachine(trx, machine.id, [{ method: MACHINE_METHOD.CODE_DELETED, fields: { id: String(code!.id) } }], context.now);
  return order;
}

/**
 * The answer of a consume whose code changed between its read and its UPDATE. To a twin of
 * this very consume (same trade_id, sent again while the first ran; on PostgreSQL they run
 * side by side) it is the twin's order, and the item this attempt took from stock goes back.
 * Otherwise a cancel or another consume won: the refusal says what the code became, and the
 * transaction rolls back what this attempt wrote.
 */
async function afterLostRace(trx: Tx, context: ChangeContext, machine: MachineRef, code: PickupCode, request: ConsumeRequest): Promise<PickupOrder> {
  const [twin] = await orderWithTradeId(trx, machine.merchant_id, request.tradeId);
  if (twin) {
    await putBackInStock(trx, request.productId);
    return repeatedConsume(twin, machine, request);
  }
  const [now] = await codeOutcome(trx, code.id, machine.id);
  assertConsumable(now, context.now);
  throw new ApiError(ErrorCode.RECORD_NOT_FOUND);
}

const useUnusedCode = preparedQuery((db, at: number, codeId: number) =>
  db.updateTable('pickup_codes').set({ status: 'USED', used_at: at }).where('id', '=', codeId).where('status', '=', 'UNUSED').returning('id'),
);

/** False when a concurrent cancel or consume changed the code first. */
async function markUsed(trx: Tx, context: ChangeContext, code: PickupCode): Promise<boolean> {
  const [used] = await useUnusedCode(trx, context.now, code.id);
  if (!used) return false;
  await recordHistory(trx, context, [code.id], { action: 'consume', from: 'UNUSED', to: 'USED' });
  return true;
}

const insertOrder = preparedQuery(
  (db, merchantId: number, machineId: number, tradeId: string | null, notifyUrl: string | null, amountCents: number, codeId: number, at: number) =>
    db
      .insertInto('orders')
      .values({
        merchant_id: merchantId,
        machine_id: machineId,
        trade_id: tradeId,
        notify_url: notifyUrl,
        amount_cents: amountCents,
        status: PICKUP_ORDER_STATUS,
        pickup_code_id: codeId,
        created_at: at,
      })
      .returning('id'),
);

const insertOrderRecord = preparedQuery((db, orderId: number, productId: number, priceCents: number) =>
  db.insertInto('order_records').values({ order_id: orderId, product_id: productId, quantity: 1, price_cents: priceCents, status: PICKUP_RECORD_STATUS }).returning('id'),
);

const linkCodeToOrder = preparedQuery((db, orderId: number, codeId: number) => db.updateTable('pickup_codes').set({ order_id: orderId }).where('id', '=', codeId));

async function recordPickupOrder(
  trx: Tx,
  context: ChangeContext,
  machine: MachineRef,
  code: PickupCode,
  priceCents: number,
  origin: { tradeId: string; notifyUrl: string } | null,
): Promise<PickupOrder> {
  const [order] = await insertOrder(trx, machine.merchant_id, machine.id, origin?.tradeId ?? null, origin?.notifyUrl ?? null, priceCents, code.id, context.now);
  const [record] = await insertOrderRecord(trx, order!.id, code.product_id, priceCents);
  await linkCodeToOrder(trx, order!.id, code.id);
  return {
    orderId: order!.id,
    tradeId: origin?.tradeId ?? null,
    amountCents: priceCents,
    createdAt: context.now,
    pickupCodeId: code.id,
    record: { id: record!.id, productId: code.product_id, quantity: 1, priceCents, status: PICKUP_RECORD_STATUS },
  };
}

/** What became of a redemption reported by a machine. */
export type Redemption =
  | { outcome: 'redeemed'; order: PickupOrder }
  | { outcome: 'redeemed-after-cancel'; order: PickupOrder }
  | { outcome: 'already-used' }
  | { outcome: 'unknown-code' };

/**
 * A machine reports that a customer redeemed a code (`client.pickup_codes.put`). The item
 * has physically left the machine, so the code becomes USED even if it was cancelled in the
 * meantime; that conflict is written to its history for the merchant to see.
 */
export async function redeemAtMachine(trx: Tx, context: ChangeContext, machine: MachineRef, codeId: number): Promise<Redemption> {
  const code = await trx.selectFrom('pickup_codes').selectAll().where('id', '=', codeId).where('machine_id', '=', machine.id).executeTakeFirst();
  if (!code) return { outcome: 'unknown-code' };
  if (code.status === 'USED') return { outcome: 'already-used' };
  const product = await trx
    .updateTable('products')
    .set((eb) => ({ inventory: sql<number>`case when ${eb.ref('inventory')} > 0 then ${eb.ref('inventory')} - 1 else 0 end` }))
    .where('id', '=', code.product_id)
    .returning('price_cents')
    .executeTakeFirstOrThrow();
  await markUsedByMachine(trx, context, code);
  const order = await recordPickupOrder(trx, context, machine, code, product.price_cents, null);
  return { outcome: code.status === 'CANCELLED' ? 'redeemed-after-cancel' : 'redeemed', order };
}

async function markUsedByMachine(trx: Tx, context: ChangeContext, code: PickupCode): Promise<void> {
  const result = await trx
    .updateTable('pickup_codes')
    .set({ status: 'USED', used_at: context.now })
    .where('id', '=', code.id)
    .where('status', '=', code.status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`pickup code ${code.id} changed while being redeemed`);
  await recordHistory(trx, context, [code.id], {
    action: 'redeem',
    from: code.status,
    to: 'USED',
    ...(code.status === 'CANCELLED' ? { detail: 'conflict: redeemed at the machine after it was cancelled' } : {}),
  });
}

export type ReadDb = Kysely<Database> | Tx;

// STUB (edge branch only, dropped at merge): core's cancel variants land these.
export async function cancelPickupCodesByIds(trx: Tx, context: ChangeContext, machine: MachineRef, ids: number[]): Promise<number> {
  for (const id of ids) {
    try {
      await cancelPickupCode(trx, context, machine, id);
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.code, `id ${id}`, error.data);
      throw error;
    }
  }
  return ids.length;
}

export async function cancelProductPickupCodes(trx: Tx, context: ChangeContext, machine: MachineRef, productId: number): Promise<number> {
  const rows = await trx.selectFrom('pickup_codes').select('id').where('machine_id', '=', machine.id).where('product_id', '=', productId).where(liveAt(context.now)).execute();
  for (const row of rows) await cancelPickupCode(trx, context, machine, row.id);
  return rows.length;
}
