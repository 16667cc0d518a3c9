/**
 * Deliveries (delivery_put.md, delivery_get.md, delivery_test.md): the vend command for an
 * order record or a test vend, the machine's result and the timeout. Each runs in the
 * transaction it is given: the delivery, the record's status, the machine's lock, the stock,
 * the vend command (outbox) and the merchant's notice commit or vanish together.
 */
import {
  channelNumber,
  decideDelivery,
  decideResult,
  decideTimeout,
  stayTimeSeconds,
  type DeliveryStatus,
  type Settlement,
  type VendResult,
  WAITING_RECORD_STATUS,
} from '../domain/deliveries.js';
import { linkProfileOf } from '../domain/link-profiles.js';
import { vendMessage, type VendResultOutcome } from '../protocol/machine-messages.js';
import type { Executor } from '../store/executor.js';
import * as deliveries from '../store/repositories/deliveries.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { Tx, Work } from '../store/store.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { queueDeliveryResult } from './delivery-notices.js';
import { accepted, Refused } from './refused.js';
import { boardAddr } from './views.js';

export interface StartedDelivery {
  deliveryId: number;
  createdAt: number;
  status: DeliveryStatus;
}

/** How long the machine may take: the vend command's deadline, and when the sweep gives up. */
export interface DeliveryTiming {
  resultTimeoutSeconds: number;
}

interface Vend {
  orderId: number | null;
  recordId: number | null;
  quantity: number;
  notifyUrl: string | null;
}

/**
 * Writes the delivery, takes the machine's lock for the channel's stay time (`busy` when
 * another vend holds it) and queues the vend command, all in the caller's transaction.
 */
async function commandVend(work: Work, machine: MachineRef, channel: products.VendChannel, vend: Vend, timing: DeliveryTiming): Promise<StartedDelivery> {
  const { trx } = work;
  const { now } = work;
  const deliveryId = await deliveries.insert(trx, { merchantId: machine.merchant_id, machineId: machine.id, productId: channel.id, createdAt: now, ...vend });
  if (!(await deliveries.takeLock(trx, machine.id, deliveryId, now, now + stayTimeSeconds(channel.floor_type)))) throw new Refused({ refused: 'busy' });
  const command = vendMessage({
    deliveryId,
    orderId: vend.orderId,
    recordId: vend.recordId,
    floorType: channel.floor_type,
    hasLift: channel.has_lift === 1,
    dropDetection: channel.drop_detection === 1,
    channel: channelNumber(channel),
    addr: boardAddr(channel.channel_addr),
    quantity: vend.quantity,
    deadline: now + timing.resultTimeoutSeconds,
  });
  await outbox.enqueue(work, machine.id, [command], now);
  return { deliveryId, createdAt: now, status: 'IS_DELIVERING' };
}

/** `device.delivery.put`: vend the record's item. The record moves to IS_DELIVERING by a conditional UPDATE, so it is commanded once. */
export async function deliverOrderRecord(
  work: Work,
  machine: MachineRef,
  asked: { orderId: number; recordId: number },
  timing: DeliveryTiming,
): Promise<StartedDelivery> {
  const { trx } = work;
  const order = await orders.findOfMerchant(trx, machine.merchant_id, asked.orderId);
  const record = order ? await orders.findRecord(trx, asked.recordId) : undefined;
  const isOnline = await machines.isOnline(trx, machine.id);
  accepted(decideDelivery({ order, record, machine: { id: machine.id, is_online: isOnline ? 1 : 0 }, orderId: asked.orderId }));
  // Refused at once, not after the result timeout: the original firmware has no vend command.
  const linked = await machines.findLinkedById(trx, machine.id);
  if (!linked || linkProfileOf(linked) === 'original') throw new Refused({ refused: 'no-vend-command' });
  const channel = await products.vendChannelOf(trx, machine.id, record!.product_id);
  if (!channel) throw new Refused({ refused: 'not-found' });
  if (!(await orders.setRecordStatusIf(trx, record!.id, WAITING_RECORD_STATUS, 'IS_DELIVERING'))) throw new Refused({ refused: 'not-deliverable' });
  return commandVend(work, machine, channel, { orderId: order!.id, recordId: record!.id, quantity: record!.quantity, notifyUrl: null }, timing);
}

/** delivery_test.md: a test vend of the channel named `channelName`; its result goes to `notifyUrl`. */
export async function deliverTestVend(
  work: Work,
  machine: MachineRef,
  asked: { channelName: string; notifyUrl: string },
  timing: DeliveryTiming,
): Promise<StartedDelivery> {
  const { trx } = work;
  const channel = await products.vendChannelNamed(trx, machine.id, asked.channelName);
  if (!channel) throw new Refused({ refused: 'product-not-found' });
  if (!(await machines.isOnline(trx, machine.id))) throw new Refused({ refused: 'offline' });
  if (channel.inventory < 1) throw new Refused({ refused: 'out-of-stock' });
  return commandVend(work, machine, channel, { orderId: null, recordId: null, quantity: 1, notifyUrl: asked.notifyUrl }, timing);
}

/** Applies a settlement if the delivery is still where it was read; false when something settled it first. */
async function settle(work: Work, delivery: deliveries.Delivery, settlement: Settlement): Promise<boolean> {
  const { trx } = work;
  const settled = { status: settlement.status, floorStatus: settlement.result.floorStatus, failReason: settlement.failReason, at: work.now };
  if (!(await deliveries.settleIf(trx, delivery.id, delivery.status, settled))) return false;
  if (delivery.record_id !== null) await orders.setRecordStatusIf(trx, delivery.record_id, delivery.status, settlement.status);
  if (settlement.stock === 'put-back') await products.returnOne(trx, delivery.product_id);
  if (settlement.stock === 'take-out') await products.takeOneLeft(trx, delivery.product_id);
  await deliveries.releaseLock(trx, delivery.machine_id, delivery.id);
  const notifyUrl = delivery.order_id === null ? delivery.notify_url : await orders.notifyUrlOf(trx, delivery.order_id);
  await queueDeliveryResult(work, {
    merchantId: delivery.merchant_id,
    notifyUrl,
    orderId: delivery.order_id,
    recordId: delivery.record_id,
    deliveryId: delivery.id,
    ...settlement.result,
  });
  return true;
}

/**
 * A machine's result for one of its deliveries. Idempotent: a re-sent result finds the
 * delivery settled (or loses the conditional UPDATE to its twin on another instance) and
 * changes nothing.
 */
export async function settleVendResult(work: Work, machine: { id: number }, deliveryId: number, result: VendResult): Promise<VendResultOutcome> {
  const { trx } = work;
  const delivery = await deliveries.findForMachine(trx, machine.id, deliveryId);
  if (!delivery) return 'unknown-delivery';
  const decision = decideResult({ status: delivery.status, isTest: delivery.order_id === null }, result);
  if ('duplicate' in decision) return 'duplicate';
  return (await settle(work, delivery, decision)) ? 'settled' : 'duplicate';
}

/** The most deliveries one transaction of the timeout sweep settles. */
export const TIMEOUT_SWEEP_BATCH = 100;

/** Deliveries without a result `resultTimeoutSeconds` after their command time out; returns how many (at most TIMEOUT_SWEEP_BATCH). */
export async function timeOutOverdueDeliveries(work: Work, timing: DeliveryTiming): Promise<number> {
  const { trx } = work;
  let count = 0;
  for (const delivery of await deliveries.overdue(trx, work.now - timing.resultTimeoutSeconds, TIMEOUT_SWEEP_BATCH)) {
    if (await settle(work, delivery, decideTimeout({ isTest: delivery.order_id === null }))) count++;
  }
  return count;
}

/** The merchant's delivery of that machine; another's answers 80002. */
export async function findDelivery(db: Executor, machine: MachineRef, deliveryId: number): Promise<deliveries.Delivery> {
  const delivery = await deliveries.findOfMachine(db, machine.merchant_id, machine.id, deliveryId);
  if (!delivery) throw new Refused({ refused: 'not-found' });
  return delivery;
}
