/**
 * The answers of the console's lifecycle extensions (docs/console.md; src/http/routes/lifecycle.ts),
 * written as responses.ts writes the others: zero values left out, every field named.
 */
import { DELIVERY_STATUS_WORDS, ORDER_STATUSES, RECORD_STATUSES } from './delivery-responses.js';
import { extension, flag, id, list, money, object, page, positive, text, wallTime, type JsonSchema } from './schema-parts.js';

/** A machine's orders of one day, newest first: order_get.md's fields with the time each was made. */
export const ORDERS_OF_DAY: JsonSchema = extension(
  page(
    object(
      {
        order_id: id,
        trade_id: text,
        created_at: wallTime,
        amount: money,
        status: { type: 'string', enum: ORDER_STATUSES },
        pickup_code_id: id,
        records: list(object({ id, product_id: id, quantity: positive, price: money, status: { type: 'string', enum: RECORD_STATUSES } }, ['id', 'product_id', 'quantity', 'price', 'status'])),
      },
      ['order_id', 'created_at', 'amount', 'status'],
    ),
  ),
);

/** An order's deliveries, oldest first; the status is the constant (delivery_get.md answers it in words). */
export const ORDER_DELIVERIES: JsonSchema = extension({
  type: 'array',
  items: object(
    {
      delivery_id: id,
      record_id: id,
      product_id: id,
      status: { type: 'string', enum: Object.keys(DELIVERY_STATUS_WORDS) },
      delivered_at: wallTime,
      settled_at: wallTime,
      fail_reason: text,
    },
    ['delivery_id', 'record_id', 'product_id', 'status', 'delivered_at'],
  ),
});

/** The pushes that wait for a machine: `{}` when none does. */
export const UNSENT_PUSHES: JsonSchema = extension(object({ unsent: positive, oldest_queued_at: wallTime }));

/** The merchant's webhook: its URL (absent: none) and whether a secret signs its events. */
export const WEBHOOK: JsonSchema = extension(object({ webhook_url: text, secret_set: flag }));

/** A new webhook secret, the only time it is shown. */
export const WEBHOOK_SECRET: JsonSchema = extension(object({ webhook_secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9_-]{43}$' } }, ['webhook_secret']));

