/**
 * How records look on the wire (the shapes are in protocol/responses.ts); the envelope
 * drops zero values after.
 */
import { visibleStatus } from '../domain/pickup-codes.js';
import { formatCents } from '../domain/money.js';
import { CONSUME_RECORD_STATUS, MACHINE_TYPES } from '../protocol/responses.js';
import { formatOptionalWallTime, formatWallDay, formatWallTime } from '../protocol/time.js';
import type { PickupCode } from '../store/schema.js';
import type { PickupOrder } from './pickup-orders.js';

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
    expired_at: formatOptionalWallTime(code.expired_at, clock.timeZone),
    quantity: code.quantity,
    used_at: formatOptionalWallTime(code.used_at, clock.timeZone),
    order_id: code.order_id,
    cancelled_at: formatOptionalWallTime(code.cancelled_at, clock.timeZone),
  };
}

export function orderView(order: PickupOrder, timeZone: string) {
  return {
    order_id: order.orderId,
    trade_id: order.tradeId,
    date: formatWallDay(order.createdAt, timeZone),
    amount: formatCents(order.amountCents),
    status: 'PICKUPCODE',
    records: [
      {
        id: order.record.id,
        product_id: order.record.productId,
        quantity: order.record.quantity,
        price: formatCents(order.record.priceCents),
        status: CONSUME_RECORD_STATUS[order.record.status as keyof typeof CONSUME_RECORD_STATUS],
        // Whether the delivery result was pushed to notify_url: vendcloud does not push it (yet).
        notify_sent: '0',
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

/** machine.md names a currency in English ("Chinese Yuan", "Euro"). */
export const CURRENCIES: Record<string, { id: number; name: string; code: string; symbol: string }> = {
  CNY: { id: 1, name: 'Chinese Yuan', code: 'CNY', symbol: '¥' },
  HKD: { id: 2, name: 'Hong Kong Dollar', code: 'HKD', symbol: 'HK$' },
  USD: { id: 3, name: 'US Dollar', code: 'USD', symbol: '$' },
};

/** The machine's 售卖类型 as machine.md's number; absent (a zero value) when not set. */
export function machineTypeView(stored: string): number | undefined {
  const type = Number(stored);
  return (MACHINE_TYPES as readonly number[]).includes(type) ? type : undefined;
}

/**
 * A product's slot as products.md writes it: row `x` and column `y` as texts ("0" is sent,
 * being a non-empty text), the driver board `addr` as a number 1-8, board 1 when not set.
 */
export function channelPosition(product: { channel_x: number; channel_y: number; channel_addr: string }) {
  return { x: String(product.channel_x), y: String(product.channel_y), addr: boardAddr(product.channel_addr) };
}

/** The driver board a channel is on, 1-8, board 1 when not set: the product page's `addr` and the vend command's. */
export function boardAddr(channelAddr: string): number {
  const addr = Number(channelAddr);
  return Number.isInteger(addr) && addr >= 1 && addr <= 8 ? addr : 1;
}
