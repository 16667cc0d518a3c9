/** Products (a machine's slots) and their categories; stock moves here too. */
import { sql } from 'kysely';
import { locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Flag, Product } from '../schema.js';

export interface ProductPageFilter {
  cabinetName: string;
  /** 0: every category. */
  categoryId: number;
}

function productsOf(db: Executor, machineId: number, filter: ProductPageFilter) {
  let query = db
    .selectFrom('products')
    .leftJoin('categories', 'categories.id', 'products.category_id')
    .where('products.machine_id', '=', machineId)
    .where('products.cabinet_name', '=', filter.cabinetName);
  if (filter.categoryId !== 0) query = query.where('products.category_id', '=', filter.categoryId);
  return query;
}

export async function countOfMachine(db: Executor, machineId: number, filter: ProductPageFilter): Promise<number> {
  const { total } = await productsOf(db, machineId, filter)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(total);
}

export function pageOfMachine(db: Executor, machineId: number, filter: ProductPageFilter, limit: number, offset: number) {
  return productsOf(db, machineId, filter)
    .selectAll('products')
    .select(['categories.title as category_title'])
    .orderBy('products.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Every product of the machine as the operator lists them, by id. */
export function listForOperator(db: Executor, machineId: number) {
  return db
    .selectFrom('products')
    .select(['id', 'name', 'price_cents', 'capacity', 'inventory', 'on_sale', 'cabinet_name', 'channel_name', 'channel_code'])
    .where('machine_id', '=', machineId)
    .orderBy('id')
    .execute();
}

/** The categories of the machine's products. */
export function categoriesOfMachine(db: Executor, machineId: number): Promise<Array<{ id: number; title: string }>> {
  return db
    .selectFrom('categories')
    .select(['id', 'title'])
    .where('id', 'in', (eb) => eb.selectFrom('products').select('category_id').where('machine_id', '=', machineId).where('category_id', 'is not', null).$narrowType<{ category_id: number }>())
    .orderBy('id')
    .execute();
}

const machineProduct = preparedQuery((db, productId: number, machineId: number) =>
  db.selectFrom('products').select('id').where('id', '=', productId).where('machine_id', '=', machineId),
);

export async function isOfMachine(db: Executor, machineId: number, productId: number): Promise<boolean> {
  return (await machineProduct(db, productId, machineId)).length === 1;
}

function lockedForStock<Q extends { forUpdate(): Q }>(db: Executor, query: Q): Q {
  // PostgreSQL needs the row lock so that two concurrent creates cannot both count the same free stock.
  return locksRows(db) ? query.forUpdate() : query;
}

/**
 * The machine's product as a create reads it; with `countsLiveCodes` (a live-codes limit
 * applies) locked until the transaction ends. Without a limit a create decides on the
 * product's own fields alone, so it takes no lock: on PostgreSQL creates of one product in
 * two batches would otherwise wait for each other's COMMIT (and yield, issue 23).
 */
export function findForCreate(
  db: Executor,
  machineId: number,
  productId: number,
  countsLiveCodes = true,
): Promise<Pick<Product, 'id' | 'on_sale' | 'capacity' | 'inventory'> | undefined> {
  const query = db.selectFrom('products').select(['id', 'on_sale', 'capacity', 'inventory']).where('id', '=', productId).where('machine_id', '=', machineId);
  return (countsLiveCodes ? lockedForStock(db, query) : query).executeTakeFirst();
}

/** The machine's products on sale with stock, locked until the transaction ends. */
export function listStockedForCreate(db: Executor, machineId: number): Promise<Array<Pick<Product, 'id' | 'inventory'>>> {
  return lockedForStock(
    db,
    db.selectFrom('products').select(['id', 'inventory']).where('machine_id', '=', machineId).where('on_sale', '=', 1).where('inventory', '>', 0).orderBy('id'),
  ).execute();
}

const takeOneFromStock = preparedQuery((db, productId: number) =>
  db
    .updateTable('products')
    .set((eb) => ({ inventory: eb('inventory', '-', 1) }))
    .where('id', '=', productId)
    .where('inventory', '>=', 1)
    .returning('price_cents'),
);

/** The product's price if one item was left and is now taken; undefined when out of stock. */
export async function takeOne(db: Executor, productId: number): Promise<{ price_cents: number } | undefined> {
  return (await takeOneFromStock(db, productId))[0];
}

const putBackInStock = preparedQuery((db, productId: number) =>
  db.updateTable('products').set((eb) => ({ inventory: eb('inventory', '+', 1) })).where('id', '=', productId),
);

export async function putBackOne(db: Executor, productId: number): Promise<void> {
  await putBackInStock(db, productId);
}

/** An item left the machine whatever the stock said: one less, never below zero. */
export function takeOneLeft(db: Executor, productId: number): Promise<{ price_cents: number }> {
  return db
    .updateTable('products')
    .set((eb) => ({ inventory: sql<number>`case when ${eb.ref('inventory')} > 0 then ${eb.ref('inventory')} - 1 else 0 end` }))
    .where('id', '=', productId)
    .returning('price_cents')
    .executeTakeFirstOrThrow();
}

export interface NewProductRow {
  machine_id: number;
  category_id: number | null;
  name: string;
  price_cents: number;
  original_price_cents: number;
  channel_name: string;
  channel_code: string;
  cabinet_name: string;
  capacity: number;
  inventory: number;
  on_sale: Flag;
  created_at: number;
  floor_type?: number;
  has_lift?: Flag;
  drop_detection?: Flag;
}

export async function insert(db: Executor, product: NewProductRow): Promise<number> {
  return (await db.insertInto('products').values(product).returning('id').executeTakeFirstOrThrow()).id;
}

export async function idsOfMachine(db: Executor, machineId: number): Promise<number[]> {
  return (await db.selectFrom('products').select('id').where('machine_id', '=', machineId).orderBy('id').execute()).map((row) => row.id);
}

/** The merchant's category of that title, made if it is new. */
export async function categoryIdFor(db: Executor, merchantId: number, title: string): Promise<number> {
  const find = () => db.selectFrom('categories').select('id').where('merchant_id', '=', merchantId).where('title', '=', title).executeTakeFirst();
  const existing = await find();
  if (existing) return existing.id;
  // Two products made at once with a new category (two instances on PostgreSQL) both miss it:
  // the title's unique constraint referees, the loser's insert waits for the winner's commit
  // and adds nothing, and the lookup after it reads the winner's row.
  await db.insertInto('categories').values({ merchant_id: merchantId, title }).onConflict((conflict) => conflict.columns(['merchant_id', 'title']).doNothing()).execute();
  return (await find())!.id;
}

/** A product's channel as a vend command names it. */
export type VendChannel = Pick<Product, 'id' | 'channel_name' | 'channel_code' | 'channel_addr' | 'floor_type' | 'has_lift' | 'drop_detection' | 'inventory'>;

const VEND_CHANNEL = ['id', 'channel_name', 'channel_code', 'channel_addr', 'floor_type', 'has_lift', 'drop_detection', 'inventory'] as const;

export function vendChannelOf(db: Executor, machineId: number, productId: number): Promise<VendChannel | undefined> {
  return db.selectFrom('products').select(VEND_CHANNEL).where('id', '=', productId).where('machine_id', '=', machineId).executeTakeFirst();
}

/** The machine's product in the channel named `channelName` (delivery_test.md), the first if several share it. */
export function vendChannelNamed(db: Executor, machineId: number, channelName: string): Promise<VendChannel | undefined> {
  return db.selectFrom('products').select(VEND_CHANNEL).where('machine_id', '=', machineId).where('channel_name', '=', channelName).orderBy('id').limit(1).executeTakeFirst();
}

/** An item that did not leave the machine goes back into stock, never above the capacity (a restock may have filled it). */
export async function returnOne(db: Executor, productId: number): Promise<void> {
  await db
    .updateTable('products')
    .set((eb) => ({ inventory: sql<number>`case when ${eb.ref('inventory')} < ${eb.ref('capacity')} then ${eb.ref('inventory')} + 1 else ${eb.ref('capacity')} end` }))
    .where('id', '=', productId)
    .execute();
}
