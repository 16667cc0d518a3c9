/**
 * The shape of every Open API answer, written down once as standard JSON Schema (draft-07,
 * what Fastify's ajv reads), field by field from each endpoint's page of the original's
 * docs (reference/original-docs/open/; where a page is silent, protocol.md and order_get.md).
 *
 * The protobuf rule of protocol.md is part of every shape: a zero value (0, "", false, an
 * empty list or object) is left out of `data`, so a flag is only ever `true`, a number never
 * 0, a text or list never empty, and `required` names only the fields that can never be zero.
 * Every object refuses fields it does not name (`additionalProperties: false`): the pages list
 * every field. vendcloud's own additions carry `description: EXTENSION` and are listed in
 * docs/api.md ("Extensions").
 */
import { DELIVERY_STARTED, DELIVERY_STATE, ORDER_DETAIL } from './delivery-responses.js';
import { ErrorCode } from './errors.js';
import { ORDER_DELIVERIES, ORDERS_OF_DAY, UNSENT_PUSHES, WEBHOOK, WEBHOOK_SECRET } from './lifecycle-responses.js';
import { METHOD } from './endpoints.js';
import { digits, EMPTY_LIST, EMPTY_OBJECT, extension, flag, id, list, money, object, orderFields, page, positive, text, wallTime, type JsonSchema } from './schema-parts.js';

/**
 * The machine-wide query's page: `page`'s fields, plus the cursor of the next page
 * (`next_after_id`, sent when the page is full) and `total_capped` when `total` stopped
 * counting at its cap (there are more).
 */
function codePage(item: JsonSchema): JsonSchema {
  const base = page(item) as { properties: Record<string, JsonSchema>; required: readonly string[] };
  return object({ ...base.properties, next_after_id: extension(id), total_capped: extension(flag) }, base.required);
}

export { EXTENSION, type JsonSchema } from './schema-parts.js';

// machines.md
const MACHINE_SUMMARY = object(
  {
    machine_name: text,
    machine_no: digits,
    is_online: flag,
    status: flag,
    address: text,
    notify_message: text,
    lng_lat: text,
    created_at: wallTime,
    contact: text,
    tel: text,
  },
  ['machine_name', 'machine_no', 'created_at'],
);

/** machine.md's 售卖类型 table: 1 vending machine … 6 locker. */
export const MACHINE_TYPES = [1, 2, 3, 4, 5, 6] as const;

// machine.md. `model_id` was removed in the docs' v1.13.0 (use `model`), so it is never sent.
// `announcement` and `merchant` have no field table: their fields are the page's example's.
const MACHINE_DETAIL = object(
  {
    machine_name: text,
    address: text,
    lng_lat: text,
    is_online: flag,
    model: object({ id, cabinet_names: list({ type: 'string', pattern: '^[A-Z]$' }) }, ['cabinet_names']),
    machine_type: { type: 'integer', enum: MACHINE_TYPES },
    cover_image: text,
    categories: list(object({ id, title: text }, ['id', 'title'])),
    announcement: object({ title: text }),
    merchant: object({ title: text, description: text, logo: text, store_id: text, status: text, created_at: wallTime }),
    currency: object({ id, name: text, code: { type: 'string', pattern: '^[A-Z]{3}$' }, symbol: text }, ['id', 'name', 'code', 'symbol']),
  },
  ['machine_name'],
);

// products.md: the item table. `x` and `y` are texts ("2", "0"), `addr` a number (1-8).
const PRODUCT = object(
  {
    id,
    category: object({ id, title: text }, ['id', 'title']),
    good: object(
      {
        name: text,
        description: text,
        thumb: text,
        price: money,
        original_price: money,
        content: text,
        good_no: text,
        slug: text,
        media: { type: 'array', minItems: 1 },
      },
      ['name', 'price', 'original_price'],
    ),
    channel: object(
      { name: text, cabinet_name: { type: 'string', pattern: '^[A-Z]$' }, code: text, x: digits, y: digits, addr: { type: 'integer', minimum: 1, maximum: 8 } },
      ['cabinet_name', 'x', 'y', 'addr'],
    ),
    current_inventory: positive,
    inventory: positive,
    on_sale: extension(flag),
  },
  ['id', 'good', 'channel', 'inventory'],
);

// pickup_code_get.md. UNKNOWN is documented but never sent; CANCELLED only by the query extension.
const CODE_STATUSES = ['UNUSED', 'USED', 'EXPIRED', 'UNKNOWN'] as const;
const codeDigits = { type: 'string', pattern: '^[0-9]{6,10}$' } as const;
const CODE_FIELDS = {
  id,
  code: codeDigits,
  status: { type: 'string', enum: CODE_STATUSES },
  created_at: wallTime,
  expired_at: wallTime,
  quantity: positive,
} as const;
const CODE_REQUIRED = ['id', 'code', 'status', 'created_at', 'quantity'] as const;
const PRODUCT_CODE = object(CODE_FIELDS, CODE_REQUIRED);
const CREATED_CODE = extension(object({ ...CODE_FIELDS, product_id: id }, [...CODE_REQUIRED, 'product_id']));
const QUERIED_CODE = extension(
  object(
    {
      ...CODE_FIELDS,
      status: { type: 'string', enum: [...CODE_STATUSES, 'CANCELLED'] },
      product_id: id,
      used_at: wallTime,
      order_id: id,
      cancelled_at: wallTime,
    },
    [...CODE_REQUIRED, 'product_id'],
  ),
);

/**
 * pickup_code_consume.md names a record's status in words (订单取消 | 已取货 | 未取货), where
 * order_get.md uses constants; vendcloud keeps the constants inside and answers the words.
 */
export const CONSUME_RECORD_STATUS = {
  WAITING_PICKED_UP: '未取货',
  IS_PICKED_UP: '已取货',
  IS_REFUND: '订单取消',
} as const;

// pickup_code_consume.md. Its tables call `records` an "object"; every example (and the
// order page, with several) shows a list of them, which is what is sent.
const ORDER_FIELDS = orderFields(['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'PICKUPCODE'], Object.values(CONSUME_RECORD_STATUS));
const ORDER_REQUIRED = ['order_id', 'date', 'amount', 'status', 'records', 'pickup_code_id'] as const;
const ORDER = object(ORDER_FIELDS, [...ORDER_REQUIRED, 'trade_id']);

// The console's extensions (docs/console.md): the fleet at a glance, live codes per product,
// a code's life. The order that spent a code redeemed at a machine has no merchant trade_id.
const MACHINE_OVERVIEW = extension(
  object(
    {
      machine_no: digits,
      machine_name: text,
      is_online: flag,
      status: flag,
      pickup_codes_enabled: flag,
      last_seen_at: wallTime,
      live_codes: positive,
      network_type: text,
      network_rssi: text,
      link_profile: { enum: ['original', 'extended'] },
    },
    ['machine_no'],
  ),
);
const LIVE_CODE_COUNT = extension(object({ product_id: id, live_codes: positive }, ['product_id']));
const STORED_STATUS = { type: 'string', enum: ['UNUSED', 'USED', 'CANCELLED'] } as const;
const CODE_HISTORY = extension(
  object(
    {
      code: QUERIED_CODE,
      events: list(
        object(
          {
            at: wallTime,
            action: { type: 'string', enum: ['create', 'cancel', 'consume', 'redeem', 'conflict'] },
            from_status: STORED_STATUS,
            to_status: STORED_STATUS,
            actor: text,
            request_id: text,
            detail: text,
          },
          ['at', 'action', 'to_status', 'actor'],
        ),
      ),
      pushes: list(object({ method: { type: 'string', pattern: '^client\\.pickup_codes\\.' }, queued_at: wallTime, sent_at: wallTime }, ['method', 'queued_at'])),
      order: object(ORDER_FIELDS, ORDER_REQUIRED),
    },
    ['code', 'events'],
  ),
);

// docs/callbacks.md: an order's callbacks and their attempts. Ids are left out for a debug vend.
const ATTEMPT_FIELDS = { attempt: positive, at: wallTime, outcome: { enum: ['delivered', 'retry', 'failed'] }, http_status: positive, latency_ms: positive, error: text };
const CALLBACK_TYPES = ['device.delivery.response', 'pickup_code.used', 'pickup_code.conflict', 'delivery.result', 'machine.online', 'machine.offline'];
const CALLBACK_FIELDS = { id, event_id: { type: 'string', pattern: '^evt_[0-9a-f]{32}$' }, type: { enum: CALLBACK_TYPES }, url: text, state: { enum: ['pending', 'delivered', 'failed'] } };
const CALLBACK_REFS = { order_id: id, record_id: id, delivery_id: id, queued_at: wallTime, next_attempt_at: wallTime, finished_at: wallTime };
const CALLBACK = extension(
  object({ ...CALLBACK_FIELDS, ...CALLBACK_REFS, attempts: list(object(ATTEMPT_FIELDS, ['attempt', 'at', 'outcome'])) }, ['id', 'event_id', 'type', 'url', 'state', 'queued_at']),
);

/** The `data` of each answer that succeeded: one schema, or one per payload `method`. */
export type ResponseShape = {
  verb: 'POST' | 'PUT';
  /** Under API_PREFIX, with Fastify's `:param` placeholders, as the routes are declared. */
  path: string;
} & ({ data: JsonSchema } | { dataByMethod: Readonly<Record<string, JsonSchema>> });

/** What the cancels of many codes answer (extension): how many were cancelled, left out when none. */
const CANCELLED_COUNT = object({ count: extension(positive) });

/** The docs answer `{}` to a create; vendcloud adds the codes it made. */
const CREATED_CODES = object({ codes: list(CREATED_CODE) });

/** What a change of stock answers (extension): each product changed, as it is now. */
const STOCK_CHANGED = extension(
  object({ products: list(object({ id, inventory: positive, on_sale: flag }, ['id'])) }, ['products']),
);

export const OPEN_API_RESPONSES: readonly ResponseShape[] = [
  { verb: 'POST', path: '/ping', data: { type: 'string', const: 'pong' } },
  { verb: 'POST', path: '/rent/machines', data: { type: 'array', items: MACHINE_SUMMARY } },
  { verb: 'POST', path: '/rent/machines/:machine_no', data: MACHINE_DETAIL },
  { verb: 'POST', path: '/products', data: { oneOf: [EMPTY_LIST, page(PRODUCT, ['total'])] } },
  {
    verb: 'POST',
    path: '/pickup_codes',
    dataByMethod: { [METHOD.CREATE_FOR_PRODUCT]: CREATED_CODES, [METHOD.CREATE_FOR_ALL_PRODUCTS]: CREATED_CODES },
  },
  { verb: 'POST', path: '/products/:product_id/pickup_code', data: { type: 'array', items: PRODUCT_CODE } },
  { verb: 'POST', path: '/pickup_codes/query', data: extension(codePage(QUERIED_CODE)) },
  {
    verb: 'PUT',
    path: '/pickup_codes',
    dataByMethod: {
      [METHOD.CANCEL_ONE]: EMPTY_OBJECT,
      [METHOD.CANCEL_ALL]: CANCELLED_COUNT,
      [METHOD.CANCEL_IDS]: CANCELLED_COUNT,
      [METHOD.CANCEL_PRODUCT]: CANCELLED_COUNT,
    },
  },
  { verb: 'POST', path: '/consumes', dataByMethod: { [METHOD.CONSUME]: ORDER } },
  { verb: 'POST', path: '/machines/overview', data: { type: 'array', items: MACHINE_OVERVIEW } },
  { verb: 'POST', path: '/pickup_codes/live_counts', data: { type: 'array', items: LIVE_CODE_COUNT } },
  { verb: 'POST', path: '/pickup_codes/history', data: CODE_HISTORY },
  { verb: 'POST', path: '/callbacks/query', data: { type: 'array', items: CALLBACK } },
  { verb: 'PUT', path: '/callbacks', dataByMethod: { [METHOD.CALLBACK_RESEND]: EMPTY_OBJECT } },
  // The console's lifecycle pages (lifecycle-responses.ts); before `/orders/:order_id` and
  // `/deliveries/:delivery_id`, whose patterns would take their paths too.
  { verb: 'POST', path: '/orders/query', data: ORDERS_OF_DAY },
  { verb: 'POST', path: '/deliveries/query', data: ORDER_DELIVERIES },
  { verb: 'POST', path: '/machines/pushes', data: UNSENT_PUSHES },
  { verb: 'POST', path: '/callbacks/latest', data: { type: 'array', items: CALLBACK } },
  { verb: 'POST', path: '/webhook', data: WEBHOOK },
  {
    verb: 'PUT',
    path: '/webhook',
    dataByMethod: { [METHOD.WEBHOOK_SET]: EMPTY_OBJECT, [METHOD.WEBHOOK_CLEAR]: EMPTY_OBJECT, [METHOD.WEBHOOK_ROTATE_SECRET]: WEBHOOK_SECRET },
  },
  { verb: 'POST', path: '/orders/:order_id', data: ORDER_DETAIL },
  { verb: 'POST', path: '/deliveries', dataByMethod: { [METHOD.DELIVERY_PUT]: DELIVERY_STARTED } },
  { verb: 'POST', path: '/deliveries/debug', dataByMethod: { [METHOD.DELIVERY_PUT]: DELIVERY_STARTED } },
  { verb: 'POST', path: '/deliveries/:delivery_id', data: DELIVERY_STATE },
  { verb: 'PUT', path: '/products', dataByMethod: { [METHOD.PRODUCT_RESTOCK]: STOCK_CHANGED, [METHOD.PRODUCT_STOCK]: STOCK_CHANGED } },
];

/** `{code: 0, message: "ok", data}` around a `data` shape. */
export function successEnvelope(data: JsonSchema): JsonSchema {
  return object({ code: { type: 'integer', const: ErrorCode.OK }, message: { type: 'string', const: 'ok' }, data }, ['code', 'message', 'data']);
}

/**
 * Every failure: a catalogued code, its message (details may follow after `: `), and `data`
 * `{}`, except that a used code's refusal (10025) names its order.
 */
export const FAILURE_ENVELOPE: JsonSchema = object(
  {
    code: { type: 'integer', enum: Object.values(ErrorCode).filter((code) => code !== ErrorCode.OK) },
    message: text,
    data: object({ order_id: id }),
  },
  ['code', 'message', 'data'],
);
