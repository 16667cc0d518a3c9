/**
 * The writes that spend a pickup code: one item out of its product's stock and the code
 * marked USED. On PostgreSQL both are ONE statement (a data-modifying WITH), so the product's
 * row, which every consume of that product locks until its batch commits, is taken one round
 * trip later and the batch ends sooner (issue 23); SQLite runs the two UPDATEs in this process.
 * Either way the stock is taken first: out of stock is the answer even when the code changed too.
 */
import { sql } from 'kysely';
import { locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { PickupCode } from '../schema.js';
import * as codes from './codes.repository.js';
import type { OrderWithTradeId } from './orders.repository.js';
import * as products from './products.repository.js';

// The code the customer's digits name (the live one, through the partial unique index on the
// machine's UNUSED codes, which the literal status lets the planner use; only when there is
// none, the latest used or cancelled one, to say why: looking for both at once scanned every
// code the machine had) and the merchant's order with that trade_id, in ONE statement, so on
// one snapshot. A twin of this consume committed before it shows as both the spent code and
// its order (a repeat); one committed after it is met by the UPDATE that spends the code.
// Both LIMITs are literals: with them bound as parameters, SQLite ran the fallback's scan of
// the machine's codes even when the live code was found (280 µs instead of 21 µs a consume
// with 4,000 codes on the machine, issue 23's profile; it grows with the machine).
const codeAndEarlierOrder = preparedQuery((db, machineId: number, code: string, productId: number, merchantId: number, tradeId: string) =>
  db
    .selectFrom('machines as m')
    .leftJoin('pickup_codes as c', (join) =>
      join.on(
        'c.id',
        '=',
        sql<number>`coalesce(${db
          .selectFrom('pickup_codes')
          .select('id')
          .where('machine_id', '=', machineId)
          .where('code', '=', code)
          .where(sql<boolean>`status = 'UNUSED'`)
          .where('product_id', '=', productId)}, ${db
          .selectFrom('pickup_codes')
          .select('id')
          .where('machine_id', '=', machineId)
          .where('product_id', '=', productId)
          .where('code', '=', code)
          .orderBy('id', 'desc')
          .limit(sql.lit(1))})`,
      ),
    )
    .leftJoin('orders as o', (join) => join.on('o.merchant_id', '=', merchantId).on('o.trade_id', '=', tradeId))
    .leftJoin('pickup_codes as oc', 'oc.id', 'o.pickup_code_id')
    .leftJoin('order_records as r', 'r.order_id', 'o.id')
    .selectAll('c')
    .select([
      'o.id as earlier_order_id',
      'o.machine_id as earlier_machine_id',
      'o.notify_url as earlier_notify_url',
      'o.amount_cents as earlier_amount_cents',
      'o.created_at as earlier_created_at',
      'oc.id as earlier_code_id',
      'oc.code as earlier_code',
      'r.id as earlier_record_id',
      'r.product_id as earlier_product_id',
      'r.quantity as earlier_quantity',
      'r.price_cents as earlier_price_cents',
      'r.status as earlier_record_status',
    ])
    .where('m.id', '=', machineId)
    .orderBy('r.id')
    .limit(sql.lit(1)),
);

/** What a consume reads before it decides: the code its digits name, and the order an earlier consume with its trade_id made. */
export interface ConsumeTarget {
  code: PickupCode | undefined;
  earlier: OrderWithTradeId | undefined;
}

export async function findForConsume(db: Executor, machine: { id: number; merchant_id: number }, productId: number, code: string, tradeId: string): Promise<ConsumeTarget> {
  const [row] = await codeAndEarlierOrder(db, machine.id, code, productId, machine.merchant_id, tradeId);
  if (!row) return { code: undefined, earlier: undefined };
  const {
    earlier_order_id,
    earlier_machine_id,
    earlier_notify_url,
    earlier_amount_cents,
    earlier_created_at,
    earlier_code_id,
    earlier_code,
    earlier_record_id,
    earlier_product_id,
    earlier_quantity,
    earlier_price_cents,
    earlier_record_status,
    ...codeRow
  } = row;
  const earlier =
    earlier_order_id === null || earlier_record_id === null
      ? undefined
      : {
          order_id: earlier_order_id,
          machine_id: earlier_machine_id!,
          notify_url: earlier_notify_url,
          amount_cents: earlier_amount_cents!,
          created_at: earlier_created_at!,
          pickup_code_id: earlier_code_id!,
          code: earlier_code!,
          record_id: earlier_record_id,
          product_id: earlier_product_id!,
          quantity: earlier_quantity!,
          price_cents: earlier_price_cents!,
          record_status: earlier_record_status!,
        };
  return { code: codeRow.id === null ? undefined : (codeRow as PickupCode), earlier };
}

const takeStockAndUseCodeStatement = preparedQuery((db, productId: number, at: number, codeId: number) =>
  db
    .with('stock', (cte) =>
      cte
        .updateTable('products')
        .set((eb) => ({ inventory: eb('inventory', '-', 1) }))
        .where('id', '=', productId)
        .where('inventory', '>=', 1)
        .returning('price_cents'),
    )
    .with('used', (cte) =>
      cte
        .updateTable('pickup_codes')
        .set({ status: 'USED', used_at: at })
        .where('id', '=', codeId)
        .where('status', '=', 'UNUSED')
        .where(sql<boolean>`exists (select 1 from stock)`)
        .returning('id'),
    )
    .selectNoFrom((eb) => [eb.selectFrom('stock').select('price_cents').as('price_cents'), eb.selectFrom('used').select('id').as('used_id')]),
);

/** The product's price when an item was taken and the code spent; else why not (the stock is untouched when out of it). */
export type Spent = { priceCents: number } | 'out-of-stock' | 'code-changed';

/**
 * Takes one item of the product and marks the code USED if it is still UNUSED. On
 * 'code-changed' the item stays taken: the caller puts it back or rolls the attempt back.
 */
export async function takeStockAndUseCode(db: Executor, productId: number, codeId: number, at: number): Promise<Spent> {
  if (locksRows(db)) {
    const [row] = await takeStockAndUseCodeStatement(db, productId, at, codeId);
    if (row?.price_cents == null) return 'out-of-stock';
    return row.used_id == null ? 'code-changed' : { priceCents: row.price_cents };
  }
  const product = await products.takeOne(db, productId);
  if (!product) return 'out-of-stock';
  return (await codes.markUsedIfUnused(db, codeId, at)) ? { priceCents: product.price_cents } : 'code-changed';
}
