/** The orders that spending a pickup code makes: through the API (a consume) or at the machine. */
import { PICKUP_ORDER_STATUS, PICKUP_RECORD_STATUS } from '../domain/pickup-codes.js';
import * as orders from '../store/repositories/orders.repository.js';
import type { PickupCode } from '../store/schema.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { Work } from '../store/store.js';

export interface PickupOrder {
  orderId: number;
  tradeId: string | null;
  amountCents: number;
  createdAt: number;
  pickupCodeId: number;
  record: { id: number; productId: number; quantity: number; priceCents: number; status: string };
}

/** What a consume through the API gives its order: the merchant's order number and callback. */
interface ConsumeOrigin {
  tradeId: string;
  notifyUrl: string;
}

/** The order a consume with that trade_id made, as its first answer gave it. */
export function orderOf(earlier: orders.OrderWithTradeId, tradeId: string): PickupOrder {
  return {
    orderId: earlier.order_id,
    tradeId,
    amountCents: earlier.amount_cents,
    createdAt: earlier.created_at,
    pickupCodeId: earlier.pickup_code_id,
    record: { id: earlier.record_id, productId: earlier.product_id, quantity: earlier.quantity, priceCents: earlier.price_cents, status: earlier.record_status },
  };
}

/**
 * The order and its one record for a spent code, linked from the code; undefined, and
 * nothing written, when a consume with the same trade_id committed first (see `orders.insertOfCode`).
 */
export async function recordPickupOrder(work: Work, machine: MachineRef, code: PickupCode, priceCents: number, origin: null, recordStatus?: string): Promise<PickupOrder>;
export async function recordPickupOrder(
  work: Work,
  machine: MachineRef,
  code: PickupCode,
  priceCents: number,
  origin: ConsumeOrigin,
): Promise<PickupOrder | undefined>;
export async function recordPickupOrder(
  work: Work,
  machine: MachineRef,
  code: PickupCode,
  priceCents: number,
  origin: ConsumeOrigin | null,
  recordStatus: string = PICKUP_RECORD_STATUS,
): Promise<PickupOrder | undefined> {
  const inserted = await orders.insertOfCode(
    work.trx,
    {
      merchantId: machine.merchant_id,
      machineId: machine.id,
      tradeId: origin?.tradeId ?? null,
      notifyUrl: origin?.notifyUrl ?? null,
      amountCents: priceCents,
      status: PICKUP_ORDER_STATUS,
      pickupCodeId: code.id,
      createdAt: work.now,
    },
    { productId: code.product_id, quantity: 1, priceCents, status: recordStatus },
  );
  if (inserted === undefined) return undefined;
  const { orderId, recordId } = inserted;
  return {
    orderId,
    tradeId: origin?.tradeId ?? null,
    amountCents: priceCents,
    createdAt: work.now,
    pickupCodeId: code.id,
    record: { id: recordId, productId: code.product_id, quantity: 1, priceCents, status: recordStatus },
  };
}
