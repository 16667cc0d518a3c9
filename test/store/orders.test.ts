/**
 * orders.repository.ts: a consume's order found again by the merchant's trade_id, the
 * trade_id as the referee of two consumes (the second insert adds nothing), a spent code's
 * order with its record and link, the records' conditional status change, and the console's
 * page of a machine's orders in a range of seconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as orders from '../../src/store/repositories/orders.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, addMachine, addMerchant, addProduct, codeRow, twoMachines } from './repository-fixtures.js';

const order = (merchantId: number, machineId: number, pickupCodeId: number, fields: Partial<orders.NewOrder> = {}): orders.NewOrder => ({
  merchantId,
  machineId,
  tradeId: 'T-1',
  notifyUrl: 'https://shop.example/notify',
  amountCents: 250,
  status: 'PICKUPCODE',
  pickupCodeId,
  createdAt: 600,
  ...fields,
});
const RECORD = { productId: 0, quantity: 1, priceCents: 250, status: 'WAITING_PICKED_UP' };

const insert = (store: Store, value: orders.NewOrder) => store.write(BY_TEST, ({ trx }) => orders.insert(trx, value));
const insertRecord = (store: Store, orderId: number, productId: number, status = 'WAITING_PICKED_UP') =>
  store.write(BY_TEST, ({ trx }) => orders.insertRecord(trx, { orderId, productId, quantity: 1, priceCents: 250, status }));

for (const kind of storeKinds()) {
  describe(`orders repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('findByTradeId finds the merchant\'s order with its code and record; another merchant\'s trade_id is not it', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const theirMachine = await addMachine(store, stranger, '40000001');
        const code = await addCode(store, machine, product, { code: '445566', status: 'USED' });
        const theirCode = await addCode(store, theirMachine, await addProduct(store, theirMachine), { status: 'USED' });
        await insert(store, order(stranger, theirMachine, theirCode, { tradeId: 'T-1' }));
        const id = (await insert(store, order(merchant, machine, code, { tradeId: 'T-1', amountCents: 300, createdAt: 601 })))!;
        const record = await insertRecord(store, id, product);
        assert.deepEqual(await orders.findByTradeId(store.db, merchant, 'T-1'), {
          order_id: id,
          machine_id: machine,
          notify_url: 'https://shop.example/notify',
          amount_cents: 300,
          created_at: 601,
          pickup_code_id: code,
          code: '445566',
          record_id: record,
          product_id: product,
          quantity: 1,
          price_cents: 250,
          record_status: 'WAITING_PICKED_UP',
        });
        assert.equal(await orders.findByTradeId(store.db, merchant, 'T-2'), undefined);
        assert.equal(await orders.findByTradeId(store.db, stranger, 'T-1'), undefined, 'an order without its record is not found');
      }));

    it('insert refuses a second order with the merchant\'s trade_id (undefined), but not another merchant\'s, nor a machine\'s null one', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const theirMachine = await addMachine(store, stranger, '40000001');
        const used = () => addCode(store, machine, product, { status: 'USED' });
        const code = await used();
        const first = await insert(store, order(merchant, machine, code));
        assert.equal(typeof first, 'number');
        assert.equal(await insert(store, order(merchant, machine, await used(), { amountCents: 1 })), undefined);
        assert.equal(typeof (await insert(store, order(stranger, theirMachine, await used()))), 'number');
        const atMachine = { tradeId: null, notifyUrl: null };
        const a = await insert(store, order(merchant, machine, await used(), atMachine));
        const b = await insert(store, order(merchant, machine, await used(), atMachine));
        assert.ok(a !== undefined && b !== undefined && a !== b);
        const row = await store.db.selectFrom('orders').selectAll().where('id', '=', first!).executeTakeFirstOrThrow();
        assert.deepEqual({ ...row, id: 0 }, { id: 0, merchant_id: merchant, machine_id: machine, trade_id: 'T-1', notify_url: 'https://shop.example/notify', amount_cents: 250, status: 'PICKUPCODE', pickup_code_id: code, created_at: 600 });
      }));

    it('insertOfCode writes the order, its one record and the code\'s link to it', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const code = await addCode(store, machine, product, { status: 'USED' });
        const other = await addCode(store, machine, product, { status: 'USED' });
        const made = (await store.write(BY_TEST, ({ trx }) => orders.insertOfCode(trx, order(merchant, machine, code), { ...RECORD, productId: product })))!;
        assert.deepEqual(await orders.findByTradeId(store.db, merchant, 'T-1').then((row) => [row?.order_id, row?.record_id, row?.record_status, row?.price_cents]), [made.orderId, made.recordId, 'WAITING_PICKED_UP', 250]);
        assert.equal((await codeRow(store, code)).order_id, made.orderId);
        assert.equal((await codeRow(store, other)).order_id, null);
      }));

    it('insertOfCode with the merchant\'s trade_id taken is undefined and writes no record and no link', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const first = await addCode(store, machine, product, { status: 'USED' });
        const second = await addCode(store, machine, product, { status: 'USED' });
        await store.write(BY_TEST, ({ trx }) => orders.insertOfCode(trx, order(merchant, machine, first), { ...RECORD, productId: product }));
        assert.equal(await store.write(BY_TEST, ({ trx }) => orders.insertOfCode(trx, order(merchant, machine, second), { ...RECORD, productId: product })), undefined);
        assert.equal((await store.db.selectFrom('order_records').selectAll().execute()).length, 1);
        assert.equal((await codeRow(store, second)).order_id, null);
      }));

    it('findWithRecord gives the order and its first record; none without either', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        const code = await addCode(store, machine, product, { status: 'USED' });
        const id = (await insert(store, order(merchant, machine, code)))!;
        const bare = (await insert(store, order(merchant, machine, await addCode(store, machine, product, { status: 'USED' }), { tradeId: 'T-2' })))!;
        const first = await insertRecord(store, id, product);
        await insertRecord(store, id, secondProduct);
        const found = await orders.findWithRecord(store.db, id);
        assert.deepEqual([found?.order.id, found?.order.trade_id, found?.record.id, found?.record.product_id], [id, 'T-1', first, product]);
        assert.equal(await orders.findWithRecord(store.db, bare), undefined);
        assert.equal(await orders.findWithRecord(store.db, 99999), undefined);
      }));

    it('recordsOf lists the order\'s records by id; findRecord finds one record by its id', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        const id = (await insert(store, order(merchant, machine, await addCode(store, machine, product, { status: 'USED' }))))!;
        const other = (await insert(store, order(merchant, machine, await addCode(store, machine, product, { status: 'USED' }), { tradeId: 'T-2' })))!;
        const first = await insertRecord(store, id, product);
        await insertRecord(store, other, product);
        await insertRecord(store, id, secondProduct);
        assert.deepEqual((await orders.recordsOf(store.db, id)).map((row) => row.product_id), [product, secondProduct]);
        assert.deepEqual((await orders.findRecord(store.db, first))?.order_id, id);
        assert.equal(await orders.findRecord(store.db, 99999), undefined);
      }));

    it('findOfMerchant finds the merchant\'s order only', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const code = await addCode(store, machine, product, { status: 'USED' });
        const id = (await insert(store, order(merchant, machine, code)))!;
        assert.equal((await orders.findOfMerchant(store.db, merchant, id))?.trade_id, 'T-1');
        assert.equal(await orders.findOfMerchant(store.db, stranger, id), undefined);
      }));

    it('setRecordStatusIf moves the record only while it is in the status given', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const code = await addCode(store, machine, product, { status: 'USED' });
        const id = (await insert(store, order(merchant, machine, code)))!;
        const record = await insertRecord(store, id, product);
        const other = await insertRecord(store, id, product);
        const set = (from: string, to: string) => store.write(BY_TEST, ({ trx }) => orders.setRecordStatusIf(trx, record, from, to));
        assert.equal(await set('IS_DELIVERING', 'IS_SUCCESS'), false);
        assert.equal(await set('WAITING_PICKED_UP', 'IS_DELIVERING'), true);
        assert.equal((await orders.findRecord(store.db, record))?.status, 'IS_DELIVERING');
        assert.equal((await orders.findRecord(store.db, other))?.status, 'WAITING_PICKED_UP');
      }));

    it('notifyUrlOf is the order\'s notify URL; null when it has none or there is no such order', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const code = await addCode(store, machine, product, { status: 'USED' });
        const withUrl = (await insert(store, order(merchant, machine, code)))!;
        const without = (await insert(store, order(merchant, machine, await addCode(store, machine, product, { status: 'USED' }), { tradeId: null, notifyUrl: null })))!;
        assert.equal(await orders.notifyUrlOf(store.db, withUrl), 'https://shop.example/notify');
        assert.equal(await orders.notifyUrlOf(store.db, without), null);
        assert.equal(await orders.notifyUrlOf(store.db, 99999), null);
      }));

    it('pageOfMachineBetween pages the machine\'s orders made in [from, to), newest first, and counts them all', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product } = await twoMachines(store);
        const at = async (createdAt: number, machineId = machine) =>
          (await insert(store, order(merchant, machineId, await addCode(store, machine, product, { status: 'USED' }), { tradeId: null, createdAt })))!;
        await at(99);
        const a = await at(100);
        const b = await at(150);
        const c = await at(150);
        await at(120, other);
        const d = await at(199);
        await at(200);
        const page = (limit: number, offset: number) => orders.pageOfMachineBetween(store.db, machine, 100, 200, limit, offset).then(({ rows, total }) => [rows.map((row) => row.id), total]);
        assert.deepEqual(await page(10, 0), [[d, c, b, a], 4]);
        assert.deepEqual(await page(2, 1), [[c, b], 4]);
        assert.deepEqual(await orders.pageOfMachineBetween(store.db, machine, 300, 400, 10, 0), { rows: [], total: 0 });
      }));

    it('recordsOfOrders lists the records of those orders by order then id; no orders, no records', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product, secondProduct } = await twoMachines(store);
        const of = async (tradeId: string) => (await insert(store, order(merchant, machine, await addCode(store, machine, product, { status: 'USED' }), { tradeId })))!;
        const [x, y, z] = [await of('x'), await of('y'), await of('z')];
        const y1 = await insertRecord(store, y, product);
        const x1 = await insertRecord(store, x, product);
        const y2 = await insertRecord(store, y, secondProduct);
        await insertRecord(store, z, product);
        assert.deepEqual((await orders.recordsOfOrders(store.db, [y, x])).map((row) => row.id), [x1, y1, y2]);
        assert.deepEqual(await orders.recordsOfOrders(store.db, []), []);
      }));
  });
}
