/** Orders and their records: what a consume through the API or a redemption at a machine made. */
import { sql, type QueryCreator } from 'kysely';
import { locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Database } from '../schema.js';
import * as codes from './codes.repository.js';

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

export type OrderWithTradeId = Awaited<ReturnType<typeof orderWithTradeId>>[number];

/** The merchant's order made by the consume with that trade_id, with its code and record. */
export async function findByTradeId(db: Executor, merchantId: number, tradeId: string): Promise<OrderWithTradeId | undefined> {
  return (await orderWithTradeId(db, merchantId, tradeId))[0];
}

export interface NewOrder {
  merchantId: number;
  machineId: number;
  /** The merchant's order number and callback, for API consumes; null at the machine. */
  tradeId: string | null;
  notifyUrl: string | null;
  amountCents: number;
  status: string;
  pickupCodeId: number;
  createdAt: number;
}

function orderInsert(
  db: QueryCreator<Database>,
  merchantId: number,
  machineId: number,
  tradeId: string | null,
  notifyUrl: string | null,
  amountCents: number,
  status: string,
  codeId: number,
  at: number,
) {
  return (
    db
      .insertInto('orders')
      .values({
        merchant_id: merchantId,
        machine_id: machineId,
        trade_id: tradeId,
        notify_url: notifyUrl,
        amount_cents: amountCents,
        status,
        pickup_code_id: codeId,
        created_at: at,
      })
      // The trade_id's unique constraint is the referee of two consumes racing on it: the
      // loser's insert waits for the winner's commit and then adds nothing, instead of
      // failing its whole transaction with a unique violation (a 500). A machine's order
      // has no trade_id (NULLs never collide).
      .onConflict((conflict) => conflict.columns(['merchant_id', 'trade_id']).doNothing())
      .returning('id')
  );
}

const insertOrder = preparedQuery(orderInsert);

/** The new order's id; undefined when the merchant's trade_id was taken meanwhile by a consume that committed first. */
export async function insert(db: Executor, order: NewOrder): Promise<number | undefined> {
  const [row] = await insertOrder(db, order.merchantId, order.machineId, order.tradeId, order.notifyUrl, order.amountCents, order.status, order.pickupCodeId, order.createdAt);
  return row?.id;
}

export interface NewOrderRecord {
  orderId: number;
  productId: number;
  quantity: number;
  priceCents: number;
  status: string;
}

const insertOrderRecord = preparedQuery((db, orderId: number, productId: number, quantity: number, priceCents: number, status: string) =>
  db.insertInto('order_records').values({ order_id: orderId, product_id: productId, quantity, price_cents: priceCents, status }).returning('id'),
);

export async function insertRecord(db: Executor, record: NewOrderRecord): Promise<number> {
  const [row] = await insertOrderRecord(db, record.orderId, record.productId, record.quantity, record.priceCents, record.status);
  return row!.id;
}

/**
 * A spent code's order on PostgreSQL: the order, its record and the code's link to it in ONE
 * statement (a data-modifying WITH); the record and the link follow the order's insert, so
 * when the trade_id was taken (ON CONFLICT DO NOTHING) none of them is written.
 */
const insertOrderOfCode = preparedQuery(
  (
    db,
    merchantId: number,
    machineId: number,
    tradeId: string | null,
    notifyUrl: string | null,
    amountCents: number,
    status: string,
    codeId: number,
    at: number,
    productId: number,
    quantity: number,
    priceCents: number,
    recordStatus: string,
  ) =>
    db
      .with('new_order', (cte) => orderInsert(cte, merchantId, machineId, tradeId, notifyUrl, amountCents, status, codeId, at))
      .with('new_record', (cte) =>
        cte
          .insertInto('order_records')
          .columns(['order_id', 'product_id', 'quantity', 'price_cents', 'status'])
          .expression((eb) =>
            eb
              .selectFrom('new_order')
              .select(['new_order.id', sql.val(productId).as('product_id'), sql.val(quantity).as('quantity'), sql.val(priceCents).as('price_cents'), sql.val(recordStatus).as('status')]),
          )
          .returning('id'),
      )
      .with('linked', (cte) =>
        cte
          .updateTable('pickup_codes')
          .from('new_order')
          .set((eb) => ({ order_id: eb.ref('new_order.id') }))
          .where('pickup_codes.id', '=', codeId),
      )
      .selectFrom(['new_order', 'new_record'])
      .select(['new_order.id as order_id', 'new_record.id as record_id']),
);

/**
 * The order of a spent code, its one record and the code's link to the order; undefined, and
 * nothing written, when the merchant's trade_id was taken meanwhile (see `insert`).
 */
export async function insertOfCode(db: Executor, order: NewOrder, record: Omit<NewOrderRecord, 'orderId'>): Promise<{ orderId: number; recordId: number } | undefined> {
  if (locksRows(db)) {
    const [row] = await insertOrderOfCode(
      db,
      order.merchantId,
      order.machineId,
      order.tradeId,
      order.notifyUrl,
      order.amountCents,
      order.status,
      order.pickupCodeId,
      order.createdAt,
      record.productId,
      record.quantity,
      record.priceCents,
      record.status,
    );
    return row && { orderId: row.order_id, recordId: row.record_id };
  }
  const orderId = await insert(db, order);
  if (orderId === undefined) return undefined;
  const recordId = await insertRecord(db, { ...record, orderId });
  await codes.linkToOrder(db, order.pickupCodeId, orderId);
  return { orderId, recordId };
}

/** The order and its first record. */
export async function findWithRecord(db: Executor, orderId: number) {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  const record = await db.selectFrom('order_records').selectAll().where('order_id', '=', orderId).orderBy('id').executeTakeFirst();
  return order && record ? { order, record } : undefined;
}

/** The merchant's order; another merchant's is not found. */
export function findOfMerchant(db: Executor, merchantId: number, orderId: number) {
  return db.selectFrom('orders').selectAll().where('id', '=', orderId).where('merchant_id', '=', merchantId).executeTakeFirst();
}

export function recordsOf(db: Executor, orderId: number) {
  return db.selectFrom('order_records').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

export function findRecord(db: Executor, recordId: number) {
  return db.selectFrom('order_records').selectAll().where('id', '=', recordId).executeTakeFirst();
}

/** Moves the record from `from` to `to`; false when it was not `from` (a concurrent delivery got there first). */
export async function setRecordStatusIf(db: Executor, recordId: number, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('order_records').set({ status: to }).where('id', '=', recordId).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Where the order's delivery results go, if anywhere. */
export async function notifyUrlOf(db: Executor, orderId: number): Promise<string | null> {
  return (await db.selectFrom('orders').select('notify_url').where('id', '=', orderId).executeTakeFirst())?.notify_url ?? null;
}

/**
 * The machine's orders made in [from, to) (Unix seconds), newest first, one page of them, and
 * how many there are: a range of the `orders_by_machine` index (the console's orders of a day).
 */
export async function pageOfMachineBetween(db: Executor, machineId: number, from: number, to: number, limit: number, offset: number) {
  const between = db.selectFrom('orders').where('machine_id', '=', machineId).where('created_at', '>=', from).where('created_at', '<', to);
  const [rows, total] = await Promise.all([
    between.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    between.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.count ?? 0) };
}

/** The records of these orders, by order then id. */
export async function recordsOfOrders(db: Executor, orderIds: readonly number[]) {
  if (orderIds.length === 0) return [];
  return db.selectFrom('order_records').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('id').execute();
}
