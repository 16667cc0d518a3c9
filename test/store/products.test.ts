/** products.repository.ts: a machine's products as its pages, lists and vend commands read them (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as products from '../../src/store/repositories/products.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, addProduct, withStore } from './fleet-fixtures.js';

/**
 * Two machines of one merchant, their products interleaved: the target machine has a1 (cabinet
 * A, drinks), b1 (cabinet B, drinks), a2 (cabinet A, snacks), a3 (cabinet A, no category); the
 * other machine has one product before them, one in between and one after (cabinet A, drinks).
 */
async function shelves(store: Store) {
  const merchant = await addMerchant(store, 'one');
  const target = await addMachine(store, merchant, '10000001');
  const other = await addMachine(store, merchant, '10000002');
  const [drinks, snacks, unused] = await store.write(BY_TEST, async ({ trx }) => [
    await products.categoryIdFor(trx, merchant, 'drinks'),
    await products.categoryIdFor(trx, merchant, 'snacks'),
    await products.categoryIdFor(trx, merchant, 'unused'),
  ]);
  const o1 = await addProduct(store, other, 'o1', { cabinet_name: 'A', category_id: drinks, channel_name: '11' });
  const a1 = await addProduct(store, target, 'a1', { cabinet_name: 'A', category_id: drinks, channel_name: '11', price_cents: 150 });
  const b1 = await addProduct(store, target, 'b1', { cabinet_name: 'B', category_id: drinks, channel_name: '11' });
  const o2 = await addProduct(store, other, 'o2', { cabinet_name: 'A', category_id: drinks });
  const a2 = await addProduct(store, target, 'a2', { cabinet_name: 'A', category_id: snacks, channel_name: '12' });
  const a3 = await addProduct(store, target, 'a3', { cabinet_name: 'A', category_id: null, channel_name: '12' });
  const o3 = await addProduct(store, other, 'o3', { cabinet_name: 'A', category_id: unused });
  return { merchant, target, other, drinks, snacks, unused, o1, a1, b1, o2, a2, a3, o3 };
}

for (const kind of storeKinds()) {
  describe(`products repository: reads [${kind.name}]`, { skip: kind.skip }, () => {
    it("countOfMachine counts the machine's products in the cabinet, of one category or of all (0)", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.equal(await products.countOfMachine(store.db, s.target, { cabinetName: 'A', categoryId: 0 }), 3);
        assert.equal(await products.countOfMachine(store.db, s.target, { cabinetName: 'A', categoryId: s.drinks }), 1);
        assert.equal(await products.countOfMachine(store.db, s.target, { cabinetName: 'B', categoryId: 0 }), 1);
        assert.equal(await products.countOfMachine(store.db, s.target, { cabinetName: 'C', categoryId: 0 }), 0);
      }));

    it("pageOfMachine answers one page of the machine's products in the cabinet by id, with the category's title", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        const page = (categoryId: number, limit: number, offset: number) =>
          products.pageOfMachine(store.db, s.target, { cabinetName: 'A', categoryId }, limit, offset).then((rows) => rows.map((row) => [row.id, row.name, row.category_title]));
        assert.deepEqual(await page(0, 10, 0), [
          [s.a1, 'a1', 'drinks'],
          [s.a2, 'a2', 'snacks'],
          [s.a3, 'a3', null],
        ]);
        assert.deepEqual(await page(0, 2, 0), [
          [s.a1, 'a1', 'drinks'],
          [s.a2, 'a2', 'snacks'],
        ]);
        assert.deepEqual(await page(0, 2, 1), [
          [s.a2, 'a2', 'snacks'],
          [s.a3, 'a3', null],
        ]);
        assert.deepEqual(await page(s.snacks, 10, 0), [[s.a2, 'a2', 'snacks']]);
        const [first] = await products.pageOfMachine(store.db, s.target, { cabinetName: 'A', categoryId: 0 }, 1, 0);
        assert.equal(first?.price_cents, 150);
        assert.equal(first?.machine_id, s.target);
      }));

    it("listForOperator lists the machine's products by id with their stock and channel", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        const listed = await products.listForOperator(store.db, s.target);
        assert.deepEqual(listed.map((row) => row.id), [s.a1, s.b1, s.a2, s.a3]);
        assert.deepEqual(listed[0], { id: s.a1, name: 'a1', price_cents: 150, capacity: 10, inventory: 5, on_sale: 1, cabinet_name: 'A', channel_name: '11', channel_code: '' });
      }));

    it("categoriesOfMachine lists the categories of the machine's products by id, none of another machine's", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.deepEqual(await products.categoriesOfMachine(store.db, s.target), [
          { id: s.drinks, title: 'drinks' },
          { id: s.snacks, title: 'snacks' },
        ]);
        assert.deepEqual(await products.categoriesOfMachine(store.db, s.other), [
          { id: s.drinks, title: 'drinks' },
          { id: s.unused, title: 'unused' },
        ]);
      }));

    it("isOfMachine, findForCreate and vendChannelOf find the machine's own product only", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.equal(await products.isOfMachine(store.db, s.target, s.a2), true);
        assert.equal(await products.isOfMachine(store.db, s.target, s.o2), false);
        assert.deepEqual(await products.findForCreate(store.db, s.target, s.a1), { id: s.a1, on_sale: 1, capacity: 10, inventory: 5 });
        assert.deepEqual(await products.findForCreate(store.db, s.target, s.a1, false), { id: s.a1, on_sale: 1, capacity: 10, inventory: 5 });
        assert.equal(await products.findForCreate(store.db, s.target, s.o1), undefined);
        assert.equal(await products.findForCreate(store.db, s.target, s.o1, false), undefined);
        assert.equal(await products.vendChannelOf(store.db, s.target, s.o3), undefined);
      }));

    it('vendChannelOf answers the channel as a vend command names it', () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        const id = await addProduct(store, s.target, 'lift', { channel_name: '31', channel_code: 'C31', channel_addr: '3-1', floor_type: 2, has_lift: 1, drop_detection: 1, inventory: 4 });
        assert.deepEqual(await products.vendChannelOf(store.db, s.target, id), { id, channel_name: '31', channel_code: 'C31', channel_addr: '3-1', floor_type: 2, has_lift: 1, drop_detection: 1, inventory: 4 });
      }));

    it("vendChannelNamed answers the machine's first product in that channel, not another machine's", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.equal((await products.vendChannelNamed(store.db, s.target, '11'))?.id, s.a1);
        assert.equal((await products.vendChannelNamed(store.db, s.target, '12'))?.id, s.a2);
        assert.equal((await products.vendChannelNamed(store.db, s.other, '11'))?.id, s.o1);
        assert.equal(await products.vendChannelNamed(store.db, s.target, '99'), undefined);
        assert.deepEqual(await products.vendChannelNamed(store.db, s.target, '12'), { id: s.a2, channel_name: '12', channel_code: '', channel_addr: '', floor_type: 0, has_lift: 0, drop_detection: 0, inventory: 5 });
      }));

    it("listStockedForCreate lists the machine's products on sale with at least one item, by id", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        await addProduct(store, s.target, 'empty', { inventory: 0 });
        await addProduct(store, s.target, 'off', { on_sale: 0, inventory: 3 });
        const last = await addProduct(store, s.target, 'last', { inventory: 1 });
        const stocked = await store.write(BY_TEST, ({ trx }) => products.listStockedForCreate(trx, s.target));
        assert.deepEqual(stocked, [
          { id: s.a1, inventory: 5 },
          { id: s.b1, inventory: 5 },
          { id: s.a2, inventory: 5 },
          { id: s.a3, inventory: 5 },
          { id: last, inventory: 1 },
        ]);
      }));

    it("idsOfMachine lists the machine's product ids in order", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.deepEqual(await products.idsOfMachine(store.db, s.target), [s.a1, s.b1, s.a2, s.a3]);
        assert.deepEqual(await products.idsOfMachine(store.db, s.other), [s.o1, s.o2, s.o3]);
      }));
  });
}
