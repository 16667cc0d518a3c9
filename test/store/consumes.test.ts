/**
 * consumes.repository.ts: what a consume reads before it decides (the code its digits name on
 * the product of the machine, the live one first, else the latest spent or cancelled one; and
 * the order an earlier consume with its trade_id made), and the writes that spend the code
 * (one item taken first: out of stock leaves the code as it was).
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as consumes from '../../src/store/repositories/consumes.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, addMachine, addMerchant, addProduct, codeRow, twoMachines } from './repository-fixtures.js';

async function orderOf(store: Store, merchantId: number, machineId: number, codeId: number, tradeId: string, records: { productId: number; status: string }[]) {
  return store.write(BY_TEST, async ({ trx }) => {
    const order = await trx
      .insertInto('orders')
      .values({ merchant_id: merchantId, machine_id: machineId, trade_id: tradeId, notify_url: 'https://n.example', amount_cents: 250, status: 'PICKUPCODE', pickup_code_id: codeId, created_at: 77 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids: number[] = [];
    for (const record of records) {
      const row = await trx.insertInto('order_records').values({ order_id: order.id, product_id: record.productId, quantity: 1, price_cents: 250, status: record.status }).returning('id').executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    return { order: order.id, records: ids };
  });
}

const inventoryOf = async (store: Store, productId: number) => (await store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow()).inventory;

for (const kind of storeKinds()) {
  describe(`consumes repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('findForConsume finds the live code with the digits on the product of the machine, before any spent one', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        await addCode(store, machine, product, { code: '555000', status: 'USED' });
        await addCode(store, other, otherProduct, { code: '555000' });
        const live = await addCode(store, machine, product, { code: '555000', expiredAt: 900 });
        await addCode(store, machine, product, { code: '555000', status: 'CANCELLED' });
        const found = await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555000', 'T-1');
        assert.deepEqual(found, { code: await codeRow(store, live), earlier: undefined });
      }));

    it('findForConsume falls back to the latest code with the digits on the product when none is UNUSED', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        await addCode(store, machine, product, { code: '555001', status: 'USED' });
        const latest = await addCode(store, machine, product, { code: '555001', status: 'CANCELLED' });
        await addCode(store, machine, product, { code: '555002', status: 'USED' });
        await addCode(store, machine, secondProduct, { code: '555001', status: 'USED' });
        await addCode(store, machine, secondProduct, { code: '555001' });
        const found = await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555001', 'T-1');
        assert.equal(found.code?.id, latest);
        assert.equal(found.code?.status, 'CANCELLED');
      }));

    it('findForConsume finds no code for digits the product does not have, nor on a machine that is not there', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        await addCode(store, other, otherProduct, { code: '555003' });
        assert.deepEqual(await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555003', 'T-1'), { code: undefined, earlier: undefined });
        assert.deepEqual(await consumes.findForConsume(store.db, { id: 99999, merchant_id: merchant }, product, '555003', 'T-1'), { code: undefined, earlier: undefined });
      }));

    it('findForConsume gives the merchant\'s earlier order with the trade_id, with its code and first record', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const theirs = await addMachine(store, stranger, '50000001');
        const theirProduct = await addProduct(store, theirs);
        const spent = await addCode(store, machine, product, { code: '555004', status: 'USED' });
        const theirCode = await addCode(store, theirs, theirProduct, { code: '555004', status: 'USED' });
        await orderOf(store, stranger, theirs, theirCode, 'T-9', [{ productId: theirProduct, status: 'IS_SUCCESS' }]);
        const made = await orderOf(store, merchant, machine, spent, 'T-9', [
          { productId: product, status: 'WAITING_PICKED_UP' },
          { productId: secondProduct, status: 'IS_SUCCESS' },
        ]);
        const found = await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555004', 'T-9');
        assert.equal(found.code?.id, spent);
        assert.deepEqual(found.earlier, {
          order_id: made.order,
          machine_id: machine,
          notify_url: 'https://n.example',
          amount_cents: 250,
          created_at: 77,
          pickup_code_id: spent,
          code: '555004',
          record_id: made.records[0],
          product_id: product,
          quantity: 1,
          price_cents: 250,
          record_status: 'WAITING_PICKED_UP',
        });
        const none = await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555004', 'T-10');
        assert.deepEqual([none.code?.id, none.earlier], [spent, undefined]);
      }));

    it('findForConsume ignores an order with the trade_id that has no record yet', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const live = await addCode(store, machine, product, { code: '555005' });
        await orderOf(store, merchant, machine, live, 'T-1', []);
        const found = await consumes.findForConsume(store.db, { id: machine, merchant_id: merchant }, product, '555005', 'T-1');
        assert.deepEqual([found.code?.id, found.earlier], [live, undefined]);
      }));

    it('takeStockAndUseCode takes one item and spends the code at the time given, answering the product\'s price', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product, secondProduct } = await twoMachines(store);
        const priced = await addProduct(store, machine, { priceCents: 375, inventory: 1 });
        const code = await addCode(store, machine, priced);
        const other = await addCode(store, machine, priced);
        assert.deepEqual(await store.write(BY_TEST, ({ trx }) => consumes.takeStockAndUseCode(trx, priced, code, 808)), { priceCents: 375 });
        assert.equal(await inventoryOf(store, priced), 0);
        const row = await codeRow(store, code);
        assert.deepEqual([row.status, row.used_at], ['USED', 808]);
        assert.equal((await codeRow(store, other)).status, 'UNUSED');
        assert.deepEqual([await inventoryOf(store, product), await inventoryOf(store, secondProduct)], [5, 5]);
      }));

    it('takeStockAndUseCode out of stock answers so and leaves the stock and the code as they were', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const empty = await addProduct(store, machine, { inventory: 0 });
        const code = await addCode(store, machine, empty);
        assert.equal(await store.write(BY_TEST, ({ trx }) => consumes.takeStockAndUseCode(trx, empty, code, 808)), 'out-of-stock');
        assert.equal(await inventoryOf(store, empty), 0);
        assert.deepEqual([(await codeRow(store, code)).status, (await codeRow(store, code)).used_at], ['UNUSED', null]);
      }));

    it('takeStockAndUseCode of a code no longer UNUSED answers code-changed, the item taken', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const stocked = await addProduct(store, machine, { inventory: 2 });
        const code = await addCode(store, machine, stocked, { status: 'CANCELLED' });
        assert.equal(await store.write(BY_TEST, ({ trx }) => consumes.takeStockAndUseCode(trx, stocked, code, 808)), 'code-changed');
        assert.equal(await inventoryOf(store, stocked), 1);
        assert.equal((await codeRow(store, code)).status, 'CANCELLED');
      }));
  });
}
