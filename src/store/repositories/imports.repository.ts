/**
 * Moving in (docs/import.md): what the store holds under the ids and names of an import
 * file, and the bulk inserts that keep the file's ids. Rows go in chunks under SQLite's
 * parameter limit; after the inserts the identity sequences are moved above the kept ids,
 * so ids made afterwards continue above them.
 */
import { sql, type Insertable } from 'kysely';
import type { Executor } from '../executor.js';
import type { Dialect } from '../migrations.js';
import type { MachineTable, MerchantTable, PickupCodeTable, ProductTable } from '../schema.js';

/**
 * Rows per INSERT: a pickup code takes 13 parameters, so 2,000 stay under SQLite's 32,766
 * (PostgreSQL's limit is 65,535). Fewer, bigger statements: each is a round trip on
 * PostgreSQL (the bench's 100,000 codes, BENCHMARKS.md "Moving in").
 */
const ROWS_PER_INSERT = 2_000;
/** Ids per `in (…)` list when looking records up, one parameter each. */
const LOOKUP_CHUNK = 10_000;

/** The tables whose ids an import keeps. */
const KEPT_ID_TABLES = ['merchants', 'machines', 'products', 'pickup_codes'] as const;

async function inChunks<K, R>(keys: readonly K[], read: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let start = 0; start < keys.length; start += LOOKUP_CHUNK) rows.push(...(await read(keys.slice(start, start + LOOKUP_CHUNK))));
  return rows;
}

export type StoredMerchant = { id: number; appid: string; app_secret_hash: string };

/** The stored merchants with one of these ids or Appids. */
export async function merchantsNamed(db: Executor, ids: readonly number[], appids: readonly string[]): Promise<StoredMerchant[]> {
  const columns = ['id', 'appid', 'app_secret_hash'] as const;
  const byId = await inChunks(ids, (chunk) => db.selectFrom('merchants').select(columns).where('id', 'in', chunk).execute());
  const byAppid = await inChunks(appids, (chunk) => db.selectFrom('merchants').select(columns).where('appid', 'in', chunk).execute());
  return [...byId, ...byAppid];
}

export type StoredMachine = { id: number; machine_no: string; merchant_id: number; mqtt_password_hash: string };

/** The stored machines with one of these ids or numbers. */
export async function machinesNamed(db: Executor, ids: readonly number[], machineNos: readonly string[]): Promise<StoredMachine[]> {
  const columns = ['id', 'machine_no', 'merchant_id', 'mqtt_password_hash'] as const;
  const byId = await inChunks(ids, (chunk) => db.selectFrom('machines').select(columns).where('id', 'in', chunk).execute());
  const byNumber = await inChunks(machineNos, (chunk) => db.selectFrom('machines').select(columns).where('machine_no', 'in', chunk).execute());
  return [...byId, ...byNumber];
}

export function productsWithIds(db: Executor, ids: readonly number[]): Promise<Array<{ id: number; machine_id: number }>> {
  return inChunks(ids, (chunk) => db.selectFrom('products').select(['id', 'machine_id']).where('id', 'in', chunk).execute());
}

export type StoredCode = Pick<PickupCodeTable, 'machine_id' | 'product_id' | 'code' | 'status'> & { id: number };

export function codesWithIds(db: Executor, ids: readonly number[]): Promise<StoredCode[]> {
  return inChunks(ids, (chunk) => db.selectFrom('pickup_codes').select(['id', 'machine_id', 'product_id', 'code', 'status']).where('id', 'in', chunk).execute());
}

/** The UNUSED codes stored on these machines: an imported UNUSED code must not clash with one. */
export function unusedCodesOn(db: Executor, machineIds: readonly number[]): Promise<Array<{ id: number; machine_id: number; code: string }>> {
  return inChunks(machineIds, (chunk) => db.selectFrom('pickup_codes').select(['id', 'machine_id', 'code']).where('machine_id', 'in', chunk).where('status', '=', 'UNUSED').execute());
}

export type KeptIdRow<T> = Insertable<T> & { id: number };

export async function insertMerchants(db: Executor, rows: ReadonlyArray<KeptIdRow<MerchantTable>>): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) await db.insertInto('merchants').values(rows.slice(start, start + ROWS_PER_INSERT)).execute();
}

export async function insertMachines(db: Executor, rows: ReadonlyArray<KeptIdRow<MachineTable>>): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) await db.insertInto('machines').values(rows.slice(start, start + ROWS_PER_INSERT)).execute();
}

export async function insertProducts(db: Executor, rows: ReadonlyArray<KeptIdRow<ProductTable>>): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) await db.insertInto('products').values(rows.slice(start, start + ROWS_PER_INSERT)).execute();
}

/** Inserts the codes chunk by chunk; `progress` hears how many are in after each chunk. */
export async function insertCodes(db: Executor, rows: ReadonlyArray<KeptIdRow<PickupCodeTable>>, progress?: (inserted: number) => void): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    await db.insertInto('pickup_codes').values(chunk).execute();
    progress?.(start + chunk.length);
  }
}

/**
 * Moves each kept-id table's identity above its highest id. SQLite's AUTOINCREMENT does this
 * itself (sqlite_sequence follows the largest id ever inserted); PostgreSQL's identity
 * sequence does not see explicit ids, so it is set, never lowered (a sequence is not
 * transactional: a concurrent insert may hold a higher value than any committed row).
 */
export async function moveIdSequencesAboveKeptIds(db: Executor, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of KEPT_ID_TABLES) {
    await sql`select setval(seq, greatest(coalesce((select max(id) from ${sql.table(table)}), 1), coalesce(pg_sequence_last_value(seq), 1)))
      from (select pg_get_serial_sequence(${table}, 'id')::regclass as seq) as identity`.execute(db);
  }
}

/** Every merchant, or the one with this id, for an export. */
export function merchantsToExport(db: Executor, merchantId?: number) {
  let query = db.selectFrom('merchants').selectAll().orderBy('id');
  if (merchantId !== undefined) query = query.where('id', '=', merchantId);
  return query.execute();
}

export function machinesToExport(db: Executor, merchantIds: readonly number[]) {
  return inChunks(merchantIds, (chunk) => db.selectFrom('machines').selectAll().where('merchant_id', 'in', chunk).orderBy('id').execute());
}

export function productsToExport(db: Executor, machineIds: readonly number[]) {
  return inChunks(machineIds, (chunk) =>
    db
      .selectFrom('products')
      .leftJoin('categories', 'categories.id', 'products.category_id')
      .selectAll('products')
      .select('categories.title as category_title')
      .where('products.machine_id', 'in', chunk)
      .orderBy('products.id')
      .execute(),
  );
}

export function codesToExport(db: Executor, machineIds: readonly number[]) {
  return inChunks(machineIds, (chunk) => db.selectFrom('pickup_codes').selectAll().where('machine_id', 'in', chunk).orderBy('id').execute());
}
