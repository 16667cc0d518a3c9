/** products.repository.ts: the stock moves of one item, new products and categories (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as products from '../../src/store/repositories/products.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, addProduct, withStore } from './fleet-fixtures.js';

/** Three products of one machine: the middle one (capacity 10, price 250) is the one each test moves. */
async function three(store: Store, inventory: number) {
  const merchant = await addMerchant(store, 'one');
  const machine = await addMachine(store, merchant, '10000001');
  const before = await addProduct(store, machine, 'before', { inventory: 3 });
  const target = await addProduct(store, machine, 'target', { inventory, capacity: 10, price_cents: 250 });
  const after = await addProduct(store, machine, 'after', { inventory: 3 });
  return { merchant, machine, before, target, after };
}

const inventories = async (store: Store) => (await store.db.selectFrom('products').select('inventory').orderBy('id').execute()).map((row) => row.inventory);

for (const kind of storeKinds()) {
  describe(`products repository: stock moves [${kind.name}]`, { skip: kind.skip }, () => {
    it("takeOne takes the last item and answers the price; with none left it answers nothing and takes nothing", () =>
      withStore(kind, async (store) => {
        const p = await three(store, 1);
        assert.deepEqual(await store.write(BY_TEST, ({ trx }) => products.takeOne(trx, p.target)), { price_cents: 250 });
        assert.deepEqual(await inventories(store), [3, 0, 3]);
        assert.equal(await store.write(BY_TEST, ({ trx }) => products.takeOne(trx, p.target)), undefined);
        assert.deepEqual(await inventories(store), [3, 0, 3]);
      }));

    it('putBackOne puts one item back into that product only', () =>
      withStore(kind, async (store) => {
        const p = await three(store, 4);
        await store.write(BY_TEST, ({ trx }) => products.putBackOne(trx, p.target));
        assert.deepEqual(await inventories(store), [3, 5, 3]);
      }));

    it('takeOneLeft takes one item whatever the stock said, never below zero, and answers the price', () =>
      withStore(kind, async (store) => {
        const p = await three(store, 1);
        assert.deepEqual(await store.write(BY_TEST, ({ trx }) => products.takeOneLeft(trx, p.target)), { price_cents: 250 });
        assert.deepEqual(await inventories(store), [3, 0, 3]);
        assert.deepEqual(await store.write(BY_TEST, ({ trx }) => products.takeOneLeft(trx, p.target)), { price_cents: 250 });
        assert.deepEqual(await inventories(store), [3, 0, 3]);
      }));

    it('returnOne puts an item back up to the capacity, never above it', () =>
      withStore(kind, async (store) => {
        const p = await three(store, 9);
        await store.write(BY_TEST, ({ trx }) => products.returnOne(trx, p.target));
        assert.deepEqual(await inventories(store), [3, 10, 3]);
        await store.write(BY_TEST, ({ trx }) => products.returnOne(trx, p.target));
        assert.deepEqual(await inventories(store), [3, 10, 3]);
      }));

    it('insert stores the product as given and answers its id', () =>
      withStore(kind, async (store) => {
        const p = await three(store, 1);
        const id = await store.write(BY_TEST, ({ trx }) =>
          products.insert(trx, {
            machine_id: p.machine,
            category_id: null,
            name: 'new',
            price_cents: 300,
            original_price_cents: 350,
            channel_name: '21',
            channel_code: 'C21',
            cabinet_name: 'B',
            capacity: 8,
            inventory: 2,
            on_sale: 0,
            created_at: 9,
            has_lift: 1,
          }),
        );
        assert.equal(id, p.after + 1);
        const row = await store.db.selectFrom('products').select(['machine_id', 'name', 'price_cents', 'original_price_cents', 'channel_name', 'channel_code', 'cabinet_name', 'capacity', 'inventory', 'on_sale', 'has_lift']).where('id', '=', id).executeTakeFirstOrThrow();
        assert.deepEqual(row, { machine_id: p.machine, name: 'new', price_cents: 300, original_price_cents: 350, channel_name: '21', channel_code: 'C21', cabinet_name: 'B', capacity: 8, inventory: 2, on_sale: 0, has_lift: 1 });
      }));

    it("categoryIdFor answers the merchant's category of that title, made once, and another merchant's title is its own", () =>
      withStore(kind, async (store) => {
        const p = await three(store, 1);
        const other = await addMerchant(store, 'two');
        const ids = await store.write(BY_TEST, async ({ trx }) => [
          await products.categoryIdFor(trx, other, 'drinks'),
          await products.categoryIdFor(trx, p.merchant, 'drinks'),
          await products.categoryIdFor(trx, p.merchant, 'snacks'),
          await products.categoryIdFor(trx, p.merchant, 'drinks'),
          await products.categoryIdFor(trx, other, 'drinks'),
        ]);
        assert.deepEqual(ids, [1, 2, 3, 2, 1]);
        const rows = await store.db.selectFrom('categories').select(['id', 'merchant_id', 'title']).orderBy('id').execute();
        assert.deepEqual(rows, [
          { id: 1, merchant_id: other, title: 'drinks' },
          { id: 2, merchant_id: p.merchant, title: 'drinks' },
          { id: 3, merchant_id: p.merchant, title: 'snacks' },
        ]);
      }));
  });
}
