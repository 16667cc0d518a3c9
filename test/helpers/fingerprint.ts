/**
 * What a store holds, every table and every row, as one digest per table: equal before and
 * after a request means the request wrote nothing. The tables are read from the database's
 * own catalogue, so a table added later is covered without touching the tests.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';

async function tableNames(store: Store): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
      : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`;
  const { rows } = await query.execute(store.db);
  return rows.map((row) => row.name).sort();
}

export type StoreFingerprint = Record<string, string>;

/** The tables of each store, read once: no test adds a table while it runs. */
const tablesOf = new WeakMap<Store, Promise<string[]>>();

export async function storeFingerprint(store: Store): Promise<StoreFingerprint> {
  let tables = tablesOf.get(store);
  if (!tables) tablesOf.set(store, (tables = tableNames(store)));
  return store.dialect === 'postgres' ? digestsInPostgres(store, await tables) : digestsHere(store, await tables);
}

/** PostgreSQL digests every table itself, in one round trip; rows sorted, so their order does not count. */
async function digestsInPostgres(store: Store, tables: string[]): Promise<StoreFingerprint> {
  const perTable = tables.map(
    (table) => sql`select ${table} as name, count(*) as n, md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as digest from ${sql.table(table)} r`,
  );
  const { rows } = await sql<{ name: string; n: number; digest: string }>`${sql.join(perTable, sql` union all `)}`.execute(store.db);
  return Object.fromEntries(rows.map((row) => [row.name, `${Number(row.n)}:${row.digest.slice(0, 16)}`]));
}

async function digestsHere(store: Store, tables: string[]): Promise<StoreFingerprint> {
  const fingerprint: StoreFingerprint = {};
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    // Row order is the database's choice; sorted texts make the digest independent of it.
    const texts = rows.map((row) => JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? String(value) : value))).sort();
    fingerprint[table] = `${rows.length}:${createHash('sha256').update(texts.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return fingerprint;
}

/** The fingerprint without the named tables (for writes a refusal may legitimately make). */
export function without(fingerprint: StoreFingerprint, ...tables: string[]): StoreFingerprint {
  return Object.fromEntries(Object.entries(fingerprint).filter(([table]) => !tables.includes(table)));
}
