/** stock.repository.ts: a machine's stock states, the changes applied with their history, and its reading back (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as stock from '../../src/store/repositories/stock.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, addProduct, withStore } from './fleet-fixtures.js';

/** The target machine's products p1..p3 (inventory 1, 2, 3), and another machine's, made before, between and after them. */
async function shelves(store: Store) {
  const merchant = await addMerchant(store, 'one');
  const target = await addMachine(store, merchant, '10000001');
  const other = await addMachine(store, merchant, '10000002');
  const o1 = await addProduct(store, other, 'o1', { inventory: 7 });
  const p1 = await addProduct(store, target, 'p1', { inventory: 1, capacity: 4 });
  const p2 = await addProduct(store, target, 'p2', { inventory: 2, capacity: 5, on_sale: 0 });
  const o2 = await addProduct(store, other, 'o2', { inventory: 8 });
  const p3 = await addProduct(store, target, 'p3', { inventory: 3, capacity: 6 });
  const o3 = await addProduct(store, other, 'o3', { inventory: 9 });
  return { target, other, o1, p1, p2, o2, p3, o3 };
}

const change = (productId: number, machineId: number, from: [number, 0 | 1], to: [number, 0 | 1], at: number): stock.StockChange => ({
  productId,
  machineId,
  from: { inventory: from[0], on_sale: from[1] },
  to: { inventory: to[0], on_sale: to[1] },
  actor: 'merchant:dsone',
  reason: 'set',
  at,
});

for (const kind of storeKinds()) {
  describe(`stock repository [${kind.name}]`, { skip: kind.skip }, () => {
    it("statesOnMachine answers every product of the machine by id, or those named, and none of another machine's", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        const states = (ids?: number[]) => store.write(BY_TEST, ({ trx }) => stock.statesOnMachine(trx, s.target, ids));
        assert.deepEqual(await states(), [
          { id: s.p1, capacity: 4, inventory: 1, on_sale: 1 },
          { id: s.p2, capacity: 5, inventory: 2, on_sale: 0 },
          { id: s.p3, capacity: 6, inventory: 3, on_sale: 1 },
        ]);
        assert.deepEqual((await states([s.p3, s.o2, s.p1])).map((state) => state.id), [s.p1, s.p3]);
        assert.deepEqual(await states([]), []);
      }));

    it('machineOfProduct answers the machine a product is in, nothing for no such product', () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        assert.equal(await stock.machineOfProduct(store.db, s.p2), s.target);
        assert.equal(await stock.machineOfProduct(store.db, s.o2), s.other);
        assert.equal(await stock.machineOfProduct(store.db, s.o3 + 1), undefined);
      }));

    it('apply sets each changed product\'s stock and sale state and no other product\'s', () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.p1, s.target, [1, 1], [4, 0], 10), change(s.p3, s.target, [3, 1], [0, 1], 10)]));
        const rows = await store.db.selectFrom('products').select(['name', 'inventory', 'on_sale']).orderBy('id').execute();
        assert.deepEqual(rows.map((row) => `${row.name} ${row.inventory} ${row.on_sale}`), ['o1 7 1', 'p1 4 0', 'p2 2 0', 'o2 8 1', 'p3 0 1', 'o3 9 1']);
      }));

    it('apply writes one history row per change, as given', () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.p2, s.target, [2, 0], [5, 1], 20)]));
        const rows = await store.db.selectFrom('stock_changes').selectAll().execute();
        assert.deepEqual(rows, [
          { id: 1, product_id: s.p2, machine_id: s.target, inventory_from: 2, inventory_to: 5, on_sale_from: 0, on_sale_to: 1, actor: 'merchant:dsone', reason: 'set', at: 20 },
        ]);
      }));

    it('apply with no changes writes nothing', () =>
      withStore(kind, async (store) => {
        await shelves(store);
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, []));
        assert.deepEqual(await store.db.selectFrom('stock_changes').selectAll().execute(), []);
      }));

    it("historyOf answers the product's latest changes, newest first, at most `limit`", () =>
      withStore(kind, async (store) => {
        const s = await shelves(store);
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.p1, s.target, [1, 1], [2, 1], 30)]));
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.o1, s.other, [7, 1], [6, 1], 31)]));
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.p1, s.target, [2, 1], [3, 0], 32)]));
        await store.write(BY_TEST, ({ trx }) => stock.apply(trx, [change(s.p1, s.target, [3, 0], [4, 1], 33)]));
        const history = await stock.historyOf(store.db, s.p1, 2);
        assert.deepEqual(history, [
          { inventory_from: 3, inventory_to: 4, on_sale_from: 0, on_sale_to: 1, actor: 'merchant:dsone', reason: 'set', at: 33 },
          { inventory_from: 2, inventory_to: 3, on_sale_from: 1, on_sale_to: 0, actor: 'merchant:dsone', reason: 'set', at: 32 },
        ]);
        assert.deepEqual((await stock.historyOf(store.db, s.p1, 10)).map((row) => row.at), [33, 32, 30]);
      }));
  });
}
