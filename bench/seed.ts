/**
 * Fresh databases for the benchmark, seeded before the server starts: the merchant,
 * machines and products through the operator's own use cases (src/service/admin.ts), and
 * the many pickup codes directly in SQL (one INSERT … SELECT over a generated series per
 * pool, in one transaction), since creating a million codes through the API would only
 * measure the API creating codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createMachine, createMerchant, createProduct } from '../src/service/admin.js';
import { isPostgresUrl, openStore, type Store, type StoreOptions } from '../src/store/store.js';
import { onExit } from './processes.js';

/** Where a fresh database lives and how the server child opens it. */
export interface Location {
  db: string;
  pgSchema?: string;
  options: StoreOptions;
}

/** How a vendcloud server child (bench/servers/vendcloud.ts) opens the location. */
export function vendcloudArgs(location: Location): string[] {
  return ['--db', location.db, ...(location.pgSchema ? ['--db-schema', location.pgSchema] : [])];
}

let tempDir: string | undefined;
const schemas: Array<{ url: string; schema: string }> = [];

/** A fresh SQLite file in a temporary directory, or a fresh schema in the given PostgreSQL. */
export function freshLocation(db: string | undefined, name: string): Location {
  if (db && isPostgresUrl(db)) {
    const schema = `bench_${process.pid}_${name.replace(/[^a-z0-9]/g, '_')}`;
    schemas.push({ url: db, schema });
    return { db, pgSchema: schema, options: { pgSchema: schema } };
  }
  if (!tempDir) {
    tempDir = mkdtempSync(join(tmpdir(), 'vendcloud-bench-'));
    const dir = tempDir;
    onExit(() => rmSync(dir, { recursive: true, force: true }));
  }
  return { db: join(tempDir, `${name}.sqlite`), options: {} };
}

export function scratchFile(name: string): string {
  freshLocation(undefined, 'scratch');
  return join(tempDir!, name);
}

/** Drops the PostgreSQL schemas this run created. */
export async function dropSchemas(): Promise<void> {
  for (const { url, schema } of schemas.splice(0)) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
    } catch (error) {
      process.stderr.write(`bench: could not drop schema ${schema}: ${(error as Error).message}\n`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export interface Credentials {
  merchantId: number;
  appid: string;
  appSecret: string;
}

export interface Target {
  machineNo: string;
  machineId: number;
  productId: number;
}

/** Large enough that no run ever meets the capacity or stock limits. */
const PLENTY = 100_000_000;
let machineSerial = 0;

export async function seedMerchant(store: Store): Promise<Credentials> {
  const merchant = await createMerchant(store, { name: 'Bench merchant' });
  return { merchantId: merchant.merchant_id, appid: merchant.appid, appSecret: merchant.app_secret };
}

export async function seedMachine(store: Store, merchantId: number): Promise<{ machineNo: string; machineId: number }> {
  const machineNo = String(60_000_000 + ++machineSerial);
  const machine = await createMachine(store, { merchantId, machineNo, pickupCodes: true, name: `Bench ${machineSerial}` });
  return { machineNo, machineId: machine.machine_id };
}

export async function seedProduct(store: Store, machine: { machineNo: string; machineId: number }, name: string): Promise<Target> {
  const product = await createProduct(store, { machineNo: machine.machineNo, name, price: '2.50', capacity: PLENTY, inventory: PLENTY, channel: name.slice(0, 8) });
  return { ...machine, productId: product.id };
}

/**
 * Inserts `count` UNUSED codes for the product: the decimal numbers firstCode,
 * firstCode+1, … (so they are unique on the machine when the ranges do not overlap).
 */
export async function seedCodes(store: Store, target: Target, count: number, firstCode: number): Promise<void> {
  if (count <= 0) return;
  const now = Math.floor(Date.now() / 1000);
  await store.write({ actor: 'bench', requestId: null, at: now }, async ({ trx }) => {
    if (store.dialect === 'postgres') {
      await sql`insert into pickup_codes (machine_id, product_id, code, status, quantity, expired_at, created_at)
        select ${target.machineId}, ${target.productId}, (${firstCode}::bigint + i)::text, 'UNUSED', 1, null, ${now}
        from generate_series(0, ${count - 1}) as i`.execute(trx);
    } else {
      await sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})
        insert into pickup_codes (machine_id, product_id, code, status, quantity, expired_at, created_at)
        select ${target.machineId}, ${target.productId}, cast(cast(${firstCode} as integer) + i as text), 'UNUSED', 1, null, ${now} from n`.execute(trx);
    }
  });
}

export async function unusedCodeIds(store: Store, productId: number): Promise<number[]> {
  const rows = await store.db.selectFrom('pickup_codes').select('id').where('product_id', '=', productId).where('status', '=', 'UNUSED').orderBy('id').execute();
  return rows.map((row) => row.id);
}

/** PostgreSQL plans by statistics that autovacuum would gather in production; gather them now. */
export async function analyze(store: Store): Promise<void> {
  if (store.dialect === 'postgres') await sql`analyze`.execute(store.db);
}

export async function withStore<T>(location: Location, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location.db, location.options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The main fixture: one machine per scenario family so that none disturbs another. */
export interface Fixture extends Credentials {
  /** A product with 5 codes, on a machine with 1,000 UNUSED codes (the query page's machine). */
  query: Target;
  /** The codes cancelled one by one, in id order. */
  cancel: Target & { ids: number[] };
  /** Creates take turns over these products (on PostgreSQL a create locks its product row). */
  create: Target[];
  /** Codes to consume one by one: product k holds firstCode + k·perProduct … + perProduct − 1. */
  consume: { products: Target[]; firstCode: number; perProduct: number };
  mix: { query: Target; cancel: Target & { ids: number[] }; create: Target };
}

export const QUERY_PRODUCT_CODES = 5;
export const QUERY_MACHINE_CODES = 1_000;
export const SPREAD_PRODUCTS = 10;

/** The query machine: one product with 5 codes among `total` codes on the machine. */
export async function seedQueryMachine(store: Store, merchantId: number, total: number): Promise<Target> {
  const machine = await seedMachine(store, merchantId);
  const five = await seedProduct(store, machine, 'Query five');
  const rest = await seedProduct(store, machine, 'Query rest');
  await seedCodes(store, five, QUERY_PRODUCT_CODES, 10_000_000);
  await seedCodes(store, rest, total - QUERY_PRODUCT_CODES, 20_000_000);
  return five;
}

export async function seedFixture(store: Store, pools: { cancel: number; consume: number; mixCancel: number }): Promise<Fixture> {
  const merchant = await seedMerchant(store);
  const query = await seedQueryMachine(store, merchant.merchantId, QUERY_MACHINE_CODES);

  const cancel = await seedProduct(store, await seedMachine(store, merchant.merchantId), 'Cancel pool');
  await seedCodes(store, cancel, pools.cancel, 10_000_000);

  const createMachine = await seedMachine(store, merchant.merchantId);
  const create: Target[] = [];
  for (let k = 0; k < SPREAD_PRODUCTS; k++) create.push(await seedProduct(store, createMachine, `Create ${k + 1}`));

  // Consumes spread over several products, as sales do: all on one product would measure
  // waiting for that one row's lock (on PostgreSQL) rather than the consume itself.
  const consumeMachine = await seedMachine(store, merchant.merchantId);
  const consumeFirst = 10_000_000;
  const perProduct = Math.ceil(pools.consume / SPREAD_PRODUCTS);
  const consumeProducts: Target[] = [];
  for (let k = 0; k < SPREAD_PRODUCTS; k++) {
    const product = await seedProduct(store, consumeMachine, `Consume ${k + 1}`);
    await seedCodes(store, product, perProduct, consumeFirst + k * perProduct);
    consumeProducts.push(product);
  }

  const mixMachine = await seedMachine(store, merchant.merchantId);
  const mixQuery = await seedProduct(store, mixMachine, 'Mix five');
  const mixCancel = await seedProduct(store, mixMachine, 'Mix cancel');
  const mixCreate = await seedProduct(store, mixMachine, 'Mix create');
  await seedCodes(store, mixQuery, QUERY_PRODUCT_CODES, 10_000_000);
  // The mix's creates draw 8-digit random codes; the pool's are 9 digits, so none clash.
  await seedCodes(store, mixCancel, pools.mixCancel, 100_000_000);

  await analyze(store);
  return {
    ...merchant,
    query,
    cancel: { ...cancel, ids: await unusedCodeIds(store, cancel.productId) },
    create,
    consume: { products: consumeProducts, firstCode: consumeFirst, perProduct },
    mix: { query: mixQuery, cancel: { ...mixCancel, ids: await unusedCodeIds(store, mixCancel.productId) }, create: mixCreate },
  };
}
