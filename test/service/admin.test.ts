/** The operator's records hold what the documented answers promise: a machine's name, a product's cabinet letter. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { AdminInputError, createMachine, createMerchant, createProduct } from '../../src/service/admin.js';
import { openStore } from '../../src/store/store.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`operator records behind the answers [${kind.name}]`, { skip: kind.skip }, () => {
    it('a machine given an empty name is named after its number (machines.md always sends machine_name)', () =>
      withFreshStore(kind, async (store) => {
        const merchant = await createMerchant(store, { name: 'Names' });
        await createMachine(store, { merchantId: merchant.merchant_id, machineNo: '41000001', name: '  ' });
        const row = await store.db.selectFrom('machines').select('name').where('machine_no', '=', '41000001').executeTakeFirstOrThrow();
        assert.equal(row.name, 'Machine 41000001');
      }));

    it('a product’s cabinet is one letter from A to Z, as machine.md names cabinets', () =>
      withFreshStore(kind, async (store) => {
        const merchant = await createMerchant(store, { name: 'Cabinets' });
        await createMachine(store, { merchantId: merchant.merchant_id, machineNo: '41000002' });
        const product = { machineNo: '41000002', name: 'Tea', price: '1.00', capacity: 1, inventory: 1 };
        for (const cabinet of ['b', 'AB', '']) {
          await assert.rejects(createProduct(store, { ...product, cabinet }), AdminInputError, `cabinet "${cabinet}"`);
        }
        assert.ok((await createProduct(store, { ...product, cabinet: 'B' })).id > 0);
      }));

    it('products made at once with a new category (on two instances over PostgreSQL) all succeed and share one category', () =>
      withFreshStore(kind, async (store, location) => {
        // A SQLite file belongs to one process: there the one store takes every write.
        const other = kind.name === 'postgres' ? await openStore(location.db, location.options) : store;
        try {
          const merchant = await createMerchant(store, { name: 'Categories' });
          await createMachine(store, { merchantId: merchant.merchant_id, machineNo: '41000003' });
          const made = await Promise.all(
            Array.from({ length: 20 }, (_, index) =>
              createProduct(index % 2 === 0 ? store : other, { machineNo: '41000003', name: `Juice ${index}`, price: '1.00', capacity: 1, inventory: 1, channel: `A${index + 1}`, category: 'Fresh' }),
            ),
          );
          assert.equal(made.length, 20);
          const categories = await store.db.selectFrom('categories').select('id').where('merchant_id', '=', merchant.merchant_id).execute();
          assert.equal(categories.length, 1);
          const products = await store.db.selectFrom('products').select('category_id').where('category_id', '=', categories[0]!.id).execute();
          assert.equal(products.length, 20);
        } finally {
          if (other !== store) await other.close();
        }
      }));
  });
}
