/**
 * What the SDK's methods for orders and deliveries return (order_get.md, delivery_put.md,
 * delivery_get.md), read from the wire with the rules of results.ts: times become Dates, a
 * missing count is 0. A delivery's state is given as the constant (IS_SUCCESS, ...), read
 * back from the words the pages answer.
 */
import { DELIVERY_STATUS_WORDS } from '../protocol/delivery-responses.js';
import { clean, list, type WireReader } from './results.js';

export type DeliveryStatus = keyof typeof DELIVERY_STATUS_WORDS;

export interface OrderRecord {
  id: number;
  productId: number;
  quantity: number;
  /** e.g. "1.00". */
  price: string;
  /** WAITING_PICKED_UP, IS_DELIVERING, IS_SUCCESS, IS_FAILED, IS_TIMEOUT, ... */
  status?: string;
  notifySent: boolean;
}

export interface Order {
  orderId: number;
  tradeId?: string;
  date?: Date;
  amount: string;
  /** PICKUPCODE for orders made by pickup codes. */
  status: string;
  notifySendCount: number;
  records: OrderRecord[];
  pickupCodeId?: number;
}

export interface Delivery {
  deliveryId: number;
  deliveredAt?: Date;
  status: DeliveryStatus;
}

export interface DeliveryState {
  deliveredAt?: Date;
  status: DeliveryStatus;
  /** When the item was out (IS_SUCCESS). */
  pickupAt?: Date;
  /** Why it failed or timed out. */
  failReason?: string;
}

type Wire = Record<string, any>;

function statusOf(words: unknown): DeliveryStatus {
  const found = (Object.keys(DELIVERY_STATUS_WORDS) as DeliveryStatus[]).find((status) => DELIVERY_STATUS_WORDS[status] === words);
  if (!found) throw new TypeError(`unknown delivery status ${JSON.stringify(words)}`);
  return found;
}

export function readOrder(read: WireReader, w: Wire): Order {
  return clean({
    orderId: w.order_id,
    tradeId: w.trade_id,
    date: read.day(w.date),
    amount: w.amount ?? '0.00',
    status: w.status,
    notifySendCount: w.notify_send_count ?? 0,
    records: list(w.records).map((r: Wire) =>
      clean({ id: r.id, productId: r.product_id, quantity: r.quantity, price: r.price ?? '0.00', status: r.status, notifySent: r.notify_sent === '1' }),
    ),
    pickupCodeId: w.pickup_code_id,
  });
}

export function readDelivery(read: WireReader, w: Wire): Delivery {
  return clean({ deliveryId: Number(w.delivery_id), deliveredAt: read.date(w.delivered_at), status: statusOf(w.status) });
}

export function readDeliveryState(read: WireReader, w: Wire): DeliveryState {
  return clean({ deliveredAt: read.date(w.delivered_at), status: statusOf(w.status), pickupAt: read.date(w.pickup_at), failReason: w.fail_reason });
}
