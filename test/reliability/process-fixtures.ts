/**
 * What the tests that attack a server process share: a merchant seeded before the server
 * starts, the store's invariants checked while no server runs, the merchant's writes as
 * repeatable requests, and a way to catch a PostgreSQL transaction in the act.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { nowSeconds } from '../../src/protocol/time.js';
import { tradeId } from '../helpers/client.js';
import { invariantViolations } from '../helpers/invariants.js';
import { asMerchant, seedMerchant, type ApiAnswer, type MerchantFixture } from '../helpers/server.js';
import type { DatabaseLocation } from '../helpers/server-process.js';
import { withStoreAt } from '../helpers/stores.js';

/** A merchant with one machine and one product holding `stock` items, seeded straight into the store. */
export async function seedStock(location: DatabaseLocation, stock: number): Promise<{ merchant: MerchantFixture; initialInventory: Map<number, number> }> {
  return withStoreAt(location, async (store) => {
    const merchant = await seedMerchant(store, { products: 1, capacity: stock, inventory: stock });
    return { merchant, initialInventory: new Map([[merchant.machines[0]!.productIds[0]!, stock]]) };
  });
}

export async function assertStoreInvariants(location: DatabaseLocation, options: Parameters<typeof invariantViolations>[1], when: string): Promise<void> {
  const violations = await withStoreAt(location, (store) => invariantViolations(store, options));
  assert.deepEqual(violations.slice(0, 20), [], `${when}: ${violations.length} violations`);
}

/** How many of the codes have this status now. */
export async function countCodes(location: DatabaseLocation, ids: number[], status: 'UNUSED' | 'USED' | 'CANCELLED'): Promise<number> {
  return withStoreAt(location, async (store) => {
    const row = await store.db.selectFrom('pickup_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).where('status', '=', status).executeTakeFirstOrThrow();
    return Number(row.n);
  });
}

/** How many codes the store holds, whatever their status. */
export async function codesInStore(location: DatabaseLocation): Promise<number> {
  return withStoreAt(location, async (store) => Number((await store.db.selectFrom('pickup_codes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
}

/** A request that got no answer at all (refused, reset, cut off: each network failure has a code) is undefined; any other failure stands. */
export function noAnswer(error: unknown): undefined {
  if (typeof (error as { code?: unknown })?.code === 'string') return undefined;
  throw error;
}

/** One signed write, built once: sending it again sends the very same request (its timestamp and nonce included). */
export type RepeatableWrite = () => Promise<ApiAnswer | undefined>;

/**
 * The merchant's writes on its machine, each as a request that can be sent again unchanged.
 * A write with no answer at all (the server died) resolves undefined.
 */
export function merchantWrites(url: string, merchant: MerchantFixture) {
  const signed = asMerchant(url, merchant);
  const machine = merchant.machines[0]!;
  const product_id = String(machine.productIds[0]);
  const write = (path: string, fields: Record<string, string>, method: 'POST' | 'PUT' = 'POST'): RepeatableWrite => {
    const request = { machine_no: machine.machine_no, ...fields, timestamp: String(nowSeconds()), nonce: randomBytes(8).toString('hex') };
    return () => signed(path, request, method).catch(noAnswer);
  };
  return {
    create: (count: number) => write('/pickup_codes', { method: 'pickup_code.product.id', product_id, count: String(count) }),
    cancel: (id: number) => write('/pickup_codes', { method: 'pickup_code.delete.id', id: String(id) }, 'PUT'),
    cancelAll: () => write('/pickup_codes', { method: 'pickup_code.delete.all' }, 'PUT'),
    consume: (code: string) => write('/consumes', { method: 'event.consume.pickup_code', code, product_id, trade_id: tradeId(), notify_url: 'https://merchant.example/notify' }),
  };
}

/** A connection of the test's own to the server's database, under a name of its own (so it never ends itself). */
async function observer(db: string): Promise<pg.Client> {
  const url = new URL(db);
  url.searchParams.set('application_name', 'vendcloud-test-observer');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/**
 * Resolves once the server's PostgreSQL transaction has written (its connections are found
 * by their application_name), or once `answered` settles if the work was quicker than that.
 */
export async function transactionWrites(db: string, applicationName: string, answered: Promise<unknown>): Promise<void> {
  const client = await observer(db);
  let done = false;
  void answered.finally(() => (done = true));
  try {
    while (!done) {
      const { rows } = await client.query('select 1 from pg_stat_activity where application_name = $1 and backend_xid is not null', [applicationName]);
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await client.end();
  }
}

/** Ends every PostgreSQL connection of the server (by application_name); how many there were. */
export async function terminateConnections(db: string, applicationName: string): Promise<number> {
  const client = await observer(db);
  try {
    const { rows } = await client.query('select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = $1', [applicationName]);
    return rows.filter((row: { ended: boolean }) => row.ended).length;
  } finally {
    await client.end();
  }
}
