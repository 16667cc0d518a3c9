/**
 * owned-codes.repository.ts: a product's live codes reached through the merchant's machine by
 * its number, in one statement that still tells no such machine (of this merchant) from no
 * such product on it.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { liveOfOwnedProduct } from '../../src/store/repositories/owned-codes.repository.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, addMachine, addMerchant, addProduct, codeRow, twoMachines } from './repository-fixtures.js';

const NOW = 1000;

for (const kind of storeKinds()) {
  describe(`owned-codes repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('lists the product\'s UNUSED codes unexpired at now (expiry second excluded), ascending id, whole rows', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        await addCode(store, machine, secondProduct);
        const first = await addCode(store, machine, product, { expiredAt: NOW + 1 });
        await addCode(store, machine, product, { expiredAt: NOW });
        await addCode(store, machine, product, { status: 'USED' });
        await addCode(store, machine, product, { status: 'CANCELLED' });
        const second = await addCode(store, machine, product);
        await addCode(store, machine, secondProduct);
        const listed = await liveOfOwnedProduct(store.db, merchant, '10000001', product, NOW);
        assert.ok(Array.isArray(listed));
        // The rows carry the statement's ownership columns too; the code's own columns are whole.
        const codeColumns = listed.map(({ owned_machine_id: _machine, owned_product_id: _product, ...code }: Record<string, unknown>) => code);
        assert.deepEqual(codeColumns, [await codeRow(store, first), await codeRow(store, second)]);
      }));

    it('a product without live codes has an empty list', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        await addCode(store, machine, product, { status: 'USED' });
        assert.deepEqual(await liveOfOwnedProduct(store.db, merchant, '10000001', product, NOW), []);
      }));

    it('another merchant\'s machine, or a number no machine has, is machine-not-found', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const theirs = await addMachine(store, stranger, '60000001');
        const theirProduct = await addProduct(store, theirs);
        await addCode(store, theirs, theirProduct);
        assert.equal(await liveOfOwnedProduct(store.db, merchant, '60000001', theirProduct, NOW), 'machine-not-found');
        assert.equal(await liveOfOwnedProduct(store.db, merchant, '99999999', product, NOW), 'machine-not-found');
        assert.equal((await liveOfOwnedProduct(store.db, stranger, '60000001', theirProduct, NOW)).length, 1);
      }));

    it('a product of another machine is product-not-found on this one', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, other, otherProduct } = await twoMachines(store);
        await addCode(store, other, otherProduct);
        assert.equal(await liveOfOwnedProduct(store.db, merchant, '10000001', otherProduct, NOW), 'product-not-found');
        assert.equal(await liveOfOwnedProduct(store.db, merchant, '10000001', 99999, NOW), 'product-not-found');
      }));
  });
}
