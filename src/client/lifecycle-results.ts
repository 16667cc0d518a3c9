/**
 * What the SDK's methods for the console's lifecycle extensions return (docs/console.md): a
 * machine's orders of a day, an order's deliveries, the pushes waiting for a machine, the
 * merchant's webhook; read with the rules of results.ts (times become Dates, a missing count 0).
 */
import type { DeliveryStatus, OrderRecord } from './delivery-results.js';
import { clean, list, type WireReader } from './results.js';

export interface OrderOfDay {
  orderId: number;
  tradeId?: string;
  createdAt?: Date;
  amount: string;
  status: string;
  pickupCodeId?: number;
  records: Array<Omit<OrderRecord, 'notifySent'>>;
}

export interface OrderDelivery {
  deliveryId: number;
  recordId: number;
  productId: number;
  status: DeliveryStatus;
  deliveredAt?: Date;
  /** When the machine's result (or the timeout) settled it. */
  settledAt?: Date;
  failReason?: string;
}

export interface UnsentPushes {
  /** Pushes written for the machine and not yet handed to the broker. */
  unsent: number;
  /** When the oldest of them was written; absent when none waits. */
  oldestQueuedAt?: Date;
}

export interface Webhook {
  /** Where the merchant's events go; absent: nowhere. */
  url?: string;
  /** Whether a secret signs them (the secret itself is only shown when made). */
  secretSet: boolean;
}

type Wire = Record<string, any>;

export function readOrderOfDay(read: WireReader, w: Wire): OrderOfDay {
  return clean({
    orderId: w.order_id,
    tradeId: w.trade_id,
    createdAt: read.date(w.created_at),
    amount: w.amount ?? '0.00',
    status: w.status,
    pickupCodeId: w.pickup_code_id,
    records: list(w.records).map((r: Wire) => clean({ id: r.id, productId: r.product_id, quantity: r.quantity, price: r.price ?? '0.00', status: r.status })),
  });
}

export function readOrderDelivery(read: WireReader, w: Wire): OrderDelivery {
  return clean({
    deliveryId: w.delivery_id,
    recordId: w.record_id,
    productId: w.product_id,
    status: w.status,
    deliveredAt: read.date(w.delivered_at),
    settledAt: read.date(w.settled_at),
    failReason: w.fail_reason,
  });
}

export function readUnsentPushes(read: WireReader, w: Wire): UnsentPushes {
  return clean({ unsent: w.unsent ?? 0, oldestQueuedAt: read.date(w.oldest_queued_at) });
}

export function readWebhook(w: Wire): Webhook {
  return clean({ url: w.webhook_url, secretSet: w.secret_set === true });
}
