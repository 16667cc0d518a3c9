/**
 * The answers about orders and deliveries (order_get.md, delivery_put.md, delivery_get.md,
 * delivery_test.md), as responses.ts writes the others; the status words the delivery pages
 * answer live here too, so the server and the SDK read them from one place.
 */
import { digits, object, orderFields, text, wallTime, type JsonSchema } from './schema-parts.js';

/** order_get.md's record statuses: constants, where the consume page answers words. */
export const RECORD_STATUSES = ['WAITING_PICKED_UP', 'IS_PICKED_UP', 'IS_REFUND', 'IS_DELIVERING', 'IS_SUCCESS', 'IS_FAILED', 'IS_TIMEOUT'] as const;

/** delivery_put.md and delivery_get.md answer a delivery's state in words ("未取货或正在出货", "出货完成"). */
export const DELIVERY_STATUS_WORDS = {
  IS_DELIVERING: '未取货或正在出货',
  IS_SUCCESS: '出货完成',
  IS_FAILED: '出货失败',
  IS_TIMEOUT: '出货超时',
} as const;

const deliveryWords = { type: 'string', enum: Object.values(DELIVERY_STATUS_WORDS) } as const;

/** order_get.md's order statuses. */
export const ORDER_STATUSES = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'PICKUPCODE', 'NOTPAY', 'TESTPAY'] as const;

// order_get.md: records with constant statuses; `notify_sent` is "0" or "1".
export const ORDER_DETAIL: JsonSchema = object(
  orderFields(ORDER_STATUSES, RECORD_STATUSES),
  ['order_id', 'date', 'amount', 'status', 'records'],
);

// delivery_put.md and delivery_test.md: the command was given. delivery_id is a text of digits.
export const DELIVERY_STARTED: JsonSchema = object({ delivery_id: digits, delivered_at: wallTime, status: deliveryWords }, ['delivery_id', 'delivered_at', 'status']);

// delivery_get.md: where the delivery stands.
export const DELIVERY_STATE: JsonSchema = object({ delivered_at: wallTime, status: deliveryWords, pickup_at: wallTime, fail_reason: text }, ['delivered_at', 'status']);
