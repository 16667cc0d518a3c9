/**
 * Rows for the repository tests (test/store/*.test.ts): merchants, machines, products and
 * callbacks written through the store's own write path, each with only the columns a test names.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Insertable } from 'kysely';
import * as callbacks from '../../src/store/repositories/callbacks.repository.js';
import type { Store } from '../../src/store/store.js';
import type { MachineTable, MerchantTable, ProductTable } from '../../src/store/schema.js';
import { BY_TEST, withFreshStore, withStoreAt, type StoreKind } from '../helpers/stores.js';

/** A SQLite file migrated once per test process, copied for each test (migrating takes most of a small test's time). */
let template: Promise<string> | undefined;

function migratedTemplate(kind: StoreKind): Promise<string> {
  template ??= (async () => {
    const location = await kind.fresh();
    await withStoreAt(location, async () => undefined);
    process.on('exit', () => rmSync(dirname(location.db), { recursive: true, force: true }));
    return location.db;
  })();
  return template;
}

/**
 * Runs `work` on a fresh, migrated, empty store of that kind, then closes and removes it, as
 * withFreshStore does; on SQLite the store is a copy of a file migrated once, opened (and its
 * migrations checked) as any other.
 */
export async function withStore<T>(kind: StoreKind, work: (store: Store) => Promise<T>): Promise<T> {
  if (kind.name !== 'sqlite') return withFreshStore(kind, work);
  const source = await migratedTemplate(kind);
  const location = await kind.fresh();
  copyFileSync(source, location.db);
  try {
    return await withStoreAt(location, work);
  } finally {
    await location.cleanup();
  }
}

export async function addMerchant(store: Store, name: string, extra: Partial<Insertable<MerchantTable>> = {}): Promise<number> {
  return store.write(BY_TEST, async ({ trx }) => {
    const row = { name, appid: `ds${name}`.padEnd(18, '0').slice(0, 18), app_secret_hash: `hash-of-${name}`, created_at: 1, ...extra };
    return (await trx.insertInto('merchants').values(row).returning('id').executeTakeFirstOrThrow()).id;
  });
}

export async function addMachine(store: Store, merchantId: number, machineNo: string, extra: Partial<Insertable<MachineTable>> = {}): Promise<number> {
  return store.write(BY_TEST, async ({ trx }) => {
    const row = { merchant_id: merchantId, machine_no: machineNo, time_zone: 'Asia/Shanghai', mqtt_password_hash: `pw-of-${machineNo}`, created_at: 1, ...extra };
    return (await trx.insertInto('machines').values(row).returning('id').executeTakeFirstOrThrow()).id;
  });
}

export async function addProduct(store: Store, machineId: number, name: string, extra: Partial<Insertable<ProductTable>> = {}): Promise<number> {
  return store.write(BY_TEST, async ({ trx }) => {
    const row = {
      machine_id: machineId,
      category_id: null,
      name,
      price_cents: 100,
      original_price_cents: 100,
      channel_name: `ch-${name}`,
      capacity: 10,
      inventory: 5,
      created_at: 1,
      ...extra,
    };
    return (await trx.insertInto('products').values(row).returning('id').executeTakeFirstOrThrow()).id;
  });
}

/** Queues a callback of merchant 1 (or `merchantId`) at `now`; its id. */
export function queue(store: Store, now: number, extra: Partial<callbacks.NewCallback> = {}): Promise<number> {
  return store.write(BY_TEST, (work) =>
    callbacks.enqueue(work, { merchantId: 1, kind: 'event', eventId: `ev-${now}-${Math.random()}`, eventType: 'code.used', url: 'https://example.com/hook', body: '{}', orderId: null, recordId: null, deliveryId: null, now, ...extra }),
  );
}

/** Sets a callback's queue columns by hand (a state reached by earlier attempts). */
export function setRow(store: Store, id: number, values: { next_attempt_at?: number; claimed_until?: number | null; claim_token?: string | null; state?: 'pending' | 'delivered' | 'failed'; attempts?: number; finished_at?: number | null }) {
  return store.write(BY_TEST, ({ trx }) => trx.updateTable('callbacks').set(values).where('id', '=', id).execute());
}
