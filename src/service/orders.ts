/** Reads of orders and deliveries as order_get.md and delivery_get.md answer them. */
import { formatCents } from '../domain/money.js';
import { DELIVERY_STATUS_WORDS } from '../protocol/delivery-responses.js';
import { formatWallDay, formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import type { Delivery } from '../store/repositories/deliveries.repository.js';
import * as callbacks from '../store/repositories/callbacks.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { Refused } from './refused.js';
import type { StartedDelivery } from './deliveries.js';

/**
 * The order of the merchant's machine with its records (order_get.md). Another merchant's
 * order, or one of another machine, answers like a missing one (80002).
 */
export async function describeOrder(db: Executor, machine: MachineRef, orderId: number, timeZone: string) {
  const order = await orders.findOfMerchant(db, machine.merchant_id, orderId);
  if (!order || order.machine_id !== machine.id) throw new Refused({ refused: 'not-found' });
  const records = await orders.recordsOf(db, order.id);
  const notices = await callbacks.notifyCountsOfOrder(db, order.id);
  return {
    order_id: order.id,
    trade_id: order.trade_id,
    date: formatWallDay(order.created_at, timeZone),
    amount: formatCents(order.amount_cents),
    status: order.status,
    // The attempts at the order's notify_url, and whether each record's result reached it
    // with a 2xx (docs/callbacks.md).
    notify_send_count: notices.sendCount,
    records: records.map((record) => ({
      id: record.id,
      product_id: record.product_id,
      quantity: record.quantity,
      price: formatCents(record.price_cents),
      status: record.status,
      notify_sent: notices.deliveredRecordIds.has(record.id) ? '1' : '0',
    })),
    pickup_code_id: order.pickup_code_id,
  };
}

/** delivery_put.md's answer: the command was given. */
export function startedDeliveryView(started: StartedDelivery, timeZone: string) {
  return { delivery_id: String(started.deliveryId), delivered_at: formatWallTime(started.createdAt, timeZone), status: DELIVERY_STATUS_WORDS[started.status] };
}

/** delivery_get.md's answer: where it stands; `pickup_at` once it succeeded, `fail_reason` once it failed or timed out. */
export function deliveryStateView(delivery: Delivery, timeZone: string) {
  return {
    delivered_at: formatWallTime(delivery.created_at, timeZone),
    status: DELIVERY_STATUS_WORDS[delivery.status],
    pickup_at: delivery.status === 'IS_SUCCESS' && delivery.settled_at !== null ? formatWallTime(delivery.settled_at, timeZone) : null,
    fail_reason: delivery.fail_reason,
  };
}
