/** The operator's records hold what the documented answers promise: a machine's name, a product's cabinet letter. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { AdminInputError, createMachine, createMerchant, createProduct } from '../../src/service/admin.js';
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
  });
}
