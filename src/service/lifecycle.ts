/**
 * The reads behind the console's lifecycle pages (docs/console.md, "The extensions it uses"),
 * open to every API client: a machine's orders of one day, an order's deliveries, the pushes
 * a machine has not been sent yet, and the merchant's latest callbacks with every attempt.
 */
import { formatCents } from '../domain/money.js';
import { formatOptionalWallTime, formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as callbacks from '../store/repositories/callbacks.repository.js';
import * as deliveries from '../store/repositories/deliveries.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import { callbackView, type CallbackView } from './callbacks.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { Refused } from './refused.js';
import { page } from './views.js';

type OrderRecordRow = Awaited<ReturnType<typeof orders.recordsOf>>[number];

function recordView(record: OrderRecordRow) {
  return { id: record.id, product_id: record.product_id, quantity: record.quantity, price: formatCents(record.price_cents), status: record.status };
}

/** The machine's orders made in [from, to), newest first, a page of them, each with its records. */
export async function ordersOfMachineBetween(db: Executor, machine: MachineRef, range: { from: number; to: number }, paging: { page: number; perPage: number }, timeZone: string) {
  const { rows, total } = await orders.pageOfMachineBetween(db, machine.id, range.from, range.to, paging.perPage, (paging.page - 1) * paging.perPage);
  const records = await orders.recordsOfOrders(db, rows.map((order) => order.id));
  const data = rows.map((order) => ({
    order_id: order.id,
    trade_id: order.trade_id,
    created_at: formatWallTime(order.created_at, timeZone),
    amount: formatCents(order.amount_cents),
    status: order.status,
    pickup_code_id: order.pickup_code_id,
    records: records.filter((record) => record.order_id === order.id).map(recordView),
  }));
  return page(data, total, paging.page, paging.perPage);
}

/** Every delivery of the order's records, oldest first; another merchant's or machine's order is not found (80002). */
export async function deliveriesOfOrder(db: Executor, machine: MachineRef, orderId: number, timeZone: string) {
  const order = await orders.findOfMerchant(db, machine.merchant_id, orderId);
  if (!order || order.machine_id !== machine.id) throw new Refused({ refused: 'not-found' });
  const records = await orders.recordsOf(db, order.id);
  const found = await deliveries.ofRecords(db, machine.merchant_id, records.map((record) => record.id));
  return found.map((delivery) => ({
    delivery_id: delivery.id,
    record_id: delivery.record_id,
    product_id: delivery.product_id,
    status: delivery.status,
    delivered_at: formatWallTime(delivery.created_at, timeZone),
    settled_at: formatOptionalWallTime(delivery.settled_at, timeZone),
    fail_reason: delivery.fail_reason,
  }));
}

/** How many pushes wait for the machine, and since when (absent when none waits). */
export async function unsentPushesOf(db: Executor, machine: MachineRef, timeZone: string) {
  const unsent = await outbox.unsentBacklog(db, machine.id);
  return { unsent: unsent.count, oldest_queued_at: formatOptionalWallTime(unsent.oldestAt, timeZone) };
}

/** The merchant's latest callbacks (before `beforeId` when given), newest first, each with every attempt. */
export async function latestCallbacks(db: Executor, merchantId: number, limit: number, beforeId: number | undefined, timeZone: string): Promise<CallbackView[]> {
  const found = await callbacks.latestOfMerchant(db, merchantId, limit, beforeId);
  const attempts = await callbacks.attemptsOf(db, found.map((callback) => callback.id));
  return found.map((callback) => callbackView(callback, attempts, timeZone));
}
