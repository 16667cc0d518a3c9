/**
 * The building blocks of the answer shapes (responses.ts, delivery-responses.ts): standard
 * JSON Schema (draft-07) with the protobuf rule of protocol.md built in (a zero value is left
 * out, so a flag is only ever `true` and a list never empty).
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const EXTENSION = 'vendcloud extension: not in the original docs';

export const text = { type: 'string', minLength: 1 } as const;
/** Only `true` is ever sent: false is the zero value. */
export const flag = { type: 'boolean', const: true } as const;
export const positive = { type: 'integer', minimum: 1 } as const;
export const id = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
export const digits = { type: 'string', pattern: '^[0-9]+$' } as const;
/** `YYYY-MM-DD HH:mm:ss` in the platform time zone. */
export const wallTime = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' } as const;
/** `YYYY-MM-DD`: the consume page's order `date` ("2024-04-29"). */
export const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;
/** Decimal text with two places ("1.00"); "0.00" is a non-empty text, so it is sent. */
export const money = { type: 'string', pattern: '^[0-9]+\\.[0-9]{2}$' } as const;
export const extension = <T extends JsonSchema>(schema: T) => ({ ...schema, description: EXTENSION });

export function object(properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/** A list inside `data`: an empty one is a zero value and is left out, so a sent one has items. */
export function list(items: JsonSchema): JsonSchema {
  return { type: 'array', items, minItems: 1 };
}

/** A paged list; `data` and `total` are left out when there is nothing (zero values). */
export function page(item: JsonSchema, required: readonly string[] = []): JsonSchema {
  return object({ data: list(item), total: positive, current_page: positive, last_page: positive, per_page: positive }, [
    'current_page',
    'last_page',
    'per_page',
    ...required,
  ]);
}

/** A top-level `data` of a list endpoint with nothing to list: the docs answer `[]`. */
export const EMPTY_LIST: JsonSchema = { type: 'array', maxItems: 0 };
export const EMPTY_OBJECT: JsonSchema = object({});


/**
 * An order's fields as the consume page and the order page answer them; the pages differ only
 * in which order and record statuses they may send.
 */
export function orderFields(orderStatuses: readonly string[], recordStatuses: readonly string[]): Record<string, JsonSchema> {
  return {
    order_id: id,
    trade_id: text,
    date: day,
    amount: money,
    status: { type: 'string', enum: orderStatuses },
    notify_send_count: positive,
    records: list(
      object(
        {
          id,
          product_id: id,
          quantity: positive,
          price: money,
          status: { type: 'string', enum: recordStatuses },
          notify_sent: { type: 'string', enum: ['0', '1'] },
        },
        ['id', 'product_id', 'quantity', 'price'],
      ),
    ),
    pickup_code_id: id,
  };
}
