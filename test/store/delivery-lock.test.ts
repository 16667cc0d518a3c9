/**
 * One vend at a time per machine, decided by the database (deliveries.repository.ts,
 * `takeLock`): of deliveries racing for one machine exactly one takes it, also from two
 * stores on one PostgreSQL (two instances); the lock lasts until its stay time or its release.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { createMachine, createMerchant, createProduct } from '../../src/service/admin.js';
import * as deliveries from '../../src/store/repositories/deliveries.repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';

let machineCounter = 0;

async function seed(store: Store): Promise<{ merchantId: number; machineId: number; productId: number }> {
  const merchant = await createMerchant(store, { name: 'Lock merchant' });
  const machineNo = String(30_000_000 + process.pid * 100 + ++machineCounter);
  await createMachine(store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
  const product = await createProduct(store, { machineNo, name: 'Water', price: '1.00', capacity: 5, inventory: 5, channel: 'A1' });
  const machine = await store.db.selectFrom('machines').select('id').where('machine_no', '=', machineNo).executeTakeFirstOrThrow();
  return { merchantId: merchant.merchant_id, machineId: machine.id, productId: product.id };
}

/** A delivery written and the lock tried, in one transaction that rolls back when the lock is held. */
async function tryVend(store: Store, seeded: Awaited<ReturnType<typeof seed>>, now: number, until: number): Promise<boolean> {
  try {
    return await store.write(BY_TEST, async ({ trx }) => {
      const id = await deliveries.insert(trx, { merchantId: seeded.merchantId, machineId: seeded.machineId, orderId: null, recordId: null, productId: seeded.productId, notifyUrl: null, createdAt: now });
      if (!(await deliveries.takeLock(trx, seeded.machineId, id, now, until))) throw new Error('busy');
      return true;
    });
  } catch (error) {
    if ((error as Error).message === 'busy') return false;
    throw error;
  }
}

for (const kind of storeKinds()) {
  describe(`the machine's delivery lock (${kind.name})`, { skip: kind.skip }, () => {
    it('holds until its stay time, not a second longer, and a release frees it at once', async () => {
      await withFreshStore(kind, async (store) => {
        const seeded = await seed(store);
        assert.equal(await tryVend(store, seeded, 1000, 1015), true);
        assert.equal(await tryVend(store, seeded, 1014, 1044), false, 'held during the stay time');
        assert.equal(await tryVend(store, seeded, 1015, 1045), true, 'free once the stay time is over');
        const holder = await store.db.selectFrom('delivery_locks').selectAll().where('machine_id', '=', seeded.machineId).executeTakeFirstOrThrow();
        await store.write(BY_TEST, ({ trx }) => deliveries.releaseLock(trx, seeded.machineId, holder.delivery_id));
        assert.equal(await tryVend(store, seeded, 1016, 1046), true, 'free once its result released it');
        const rows = await store.db.selectFrom('deliveries').select('id').where('machine_id', '=', seeded.machineId).execute();
        assert.equal(rows.length, 3, "a refused delivery's row rolled back with it");
      });
    });

    it('of 20 deliveries racing for one machine, from two stores on one database where the store allows it, exactly one takes the lock', async () => {
      await withFreshStore(kind, async (store, location) => {
        const seeded = await seed(store);
        // A SQLite file belongs to one process: its racers share the one store.
        const other = kind.name === 'postgres' ? await openStore(location.db, location.options) : store;
        try {
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tryVend(i % 2 === 0 ? store : other, seeded, 2000, 2030)));
          assert.equal(results.filter(Boolean).length, 1);
        } finally {
          if (other !== store) await other.close();
        }
      });
    });
  });
}
