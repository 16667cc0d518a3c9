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
import * as codes from './codes.repository.js';
import * as products from './products.repository.js';

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
