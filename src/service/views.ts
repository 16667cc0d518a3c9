/** How records look on the wire (PROTOCOL.md §6); the envelope drops empty fields after. */
import { visibleStatus } from '../domain/pickup-codes.js';
import { formatCents } from '../domain/money.js';
import { formatWallTime } from '../protocol/time.js';
import type { PickupCode } from '../store/schema.js';
import type { PickupOrder } from './pickup-codes.js';

export interface Clock {
  now: number;
  timeZone: string;
}

export function pickupCodeView(code: PickupCode, clock: Clock) {
  return {
    id: code.id,
    product_id: code.product_id,
    code: code.code,
    status: visibleStatus(code, clock.now),
    created_at: formatWallTime(code.created_at, clock.timeZone),
    expired_at: code.expired_at === null ? null : formatWallTime(code.expired_at, clock.timeZone),
    quantity: code.quantity,
    used_at: code.used_at === null ? null : formatWallTime(code.used_at, clock.timeZone),
    order_id: code.order_id,
    cancelled_at: code.cancelled_at === null ? null : formatWallTime(code.cancelled_at, clock.timeZone),
  };
}

export function orderView(order: PickupOrder, timeZone: string) {
  return {
    order_id: order.orderId,
    trade_id: order.tradeId,
    date: formatWallTime(order.createdAt, timeZone),
    amount: formatCents(order.amountCents),
    status: 'PICKUPCODE',
    records: [
      {
        id: order.record.id,
        product_id: order.record.productId,
        quantity: order.record.quantity,
        price: formatCents(order.record.priceCents),
        status: order.record.status,
      },
    ],
    pickup_code_id: order.pickupCodeId,
  };
}

export interface Page<T> {
  data: T[];
  total: number;
  current_page: number;
  last_page: number;
  per_page: number;
}

export function page<T>(data: T[], total: number, currentPage: number, perPage: number): Page<T> {
  return { data, total, current_page: currentPage, last_page: Math.max(1, Math.ceil(total / perPage)), per_page: perPage };
}

export const CURRENCIES: Record<string, { id: number; name: string; code: string; symbol: string }> = {
  CNY: { id: 1, name: '人民币', code: 'CNY', symbol: '¥' },
  HKD: { id: 2, name: '港币', code: 'HKD', symbol: 'HK$' },
  USD: { id: 3, name: '美元', code: 'USD', symbol: '$' },
};
