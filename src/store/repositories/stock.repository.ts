/**
 * Stock and sale state of a machine's products, and their history (stock_changes). The
 * products_inventory_in_range constraint keeps stock within 0..capacity whatever a caller does.
 */
import { locksRows, type Executor } from '../executor.js';
import type { Flag } from '../schema.js';

export interface StockState {
  id: number;
  capacity: number;
  inventory: number;
  on_sale: Flag;
}

/** The machine's products with those ids (every product of the machine for `undefined`), ascending id; locked on PostgreSQL. */
export async function statesOnMachine(db: Executor, machineId: number, productIds?: readonly number[]): Promise<StockState[]> {
  if (productIds?.length === 0) return [];
  let query = db.selectFrom('products').select(['id', 'capacity', 'inventory', 'on_sale']).where('machine_id', '=', machineId);
  if (productIds) query = query.where('id', 'in', [...productIds]);
  query = query.orderBy('id');
  if (locksRows(db)) query = query.forUpdate();
  return query.execute();
}

/** The machine a product is in; undefined for no such product. */
export async function machineOfProduct(db: Executor, productId: number): Promise<number | undefined> {
  return (await db.selectFrom('products').select('machine_id').where('id', '=', productId).executeTakeFirst())?.machine_id;
}

export interface StockChange {
  productId: number;
  machineId: number;
  from: { inventory: number; on_sale: Flag };
  to: { inventory: number; on_sale: Flag };
  actor: string;
  reason: string;
  at: number;
}

/** Applies the changes and writes their history. */
export async function apply(db: Executor, changes: readonly StockChange[]): Promise<void> {
  if (changes.length === 0) return;
  for (const change of changes) {
    await db.updateTable('products').set({ inventory: change.to.inventory, on_sale: change.to.on_sale }).where('id', '=', change.productId).execute();
  }
  await db
    .insertInto('stock_changes')
    .values(
      changes.map((change) => ({
        product_id: change.productId,
        machine_id: change.machineId,
        inventory_from: change.from.inventory,
        inventory_to: change.to.inventory,
        on_sale_from: change.from.on_sale,
        on_sale_to: change.to.on_sale,
        actor: change.actor,
        reason: change.reason,
        at: change.at,
      })),
    )
    .execute();
}

/** The product's latest stock changes, newest first. */
export function historyOf(db: Executor, productId: number, limit: number) {
  return db
    .selectFrom('stock_changes')
    .select(['inventory_from', 'inventory_to', 'on_sale_from', 'on_sale_to', 'actor', 'reason', 'at'])
    .where('product_id', '=', productId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
