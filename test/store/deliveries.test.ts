/**
 * deliveries.repository.ts: a vend command's row, the machine's one-vend-at-a-time lock (held
 * until its second, then anyone's), the conditional settle, the sweep's overdue deliveries and
 * the deliveries of order records. A delivery is found only through its own machine and merchant.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as deliveries from '../../src/store/repositories/deliveries.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { addMerchant, twoMachines } from './repository-fixtures.js';

async function newDelivery(store: Store, fields: Partial<deliveries.NewDelivery> & { merchantId: number; machineId: number; productId: number }): Promise<number> {
  return store.write(BY_TEST, ({ trx }) => deliveries.insert(trx, { orderId: null, recordId: null, notifyUrl: null, createdAt: 100, ...fields }));
}

const lockOf = (store: Store, machineId: number) => store.db.selectFrom('delivery_locks').select(['delivery_id', 'locked_until']).where('machine_id', '=', machineId).executeTakeFirst();

for (const kind of storeKinds()) {
  describe(`deliveries repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('insert writes a delivery IS_DELIVERING, unsettled, with what it was given', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const id = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product, notifyUrl: 'https://x.example/n', createdAt: 321 });
        assert.deepEqual(await deliveries.findForMachine(store.db, machine, id), {
          id,
          merchant_id: merchant,
          machine_id: machine,
          order_id: null,
          record_id: null,
          product_id: product,
          notify_url: 'https://x.example/n',
          status: 'IS_DELIVERING',
          floor_status: null,
          fail_reason: null,
          created_at: 321,
          settled_at: null,
        });
      }));

    it('takeLock takes a free machine, not one held past now, and one whose lock ends at or before now', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        const first = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const second = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const elsewhere = await newDelivery(store, { merchantId: merchant, machineId: other, productId: otherProduct });
        const take = (machineId: number, deliveryId: number, now: number, until: number) => store.write(BY_TEST, ({ trx }) => deliveries.takeLock(trx, machineId, deliveryId, now, until));
        assert.equal(await take(machine, first, 100, 160), true);
        assert.equal(await take(other, elsewhere, 100, 130), true, 'another machine has a lock of its own');
        assert.equal(await take(machine, second, 159, 220), false);
        assert.deepEqual(await lockOf(store, machine), { delivery_id: first, locked_until: 160 });
        assert.equal(await take(machine, second, 160, 220), true);
        assert.deepEqual(await lockOf(store, machine), { delivery_id: second, locked_until: 220 });
        assert.deepEqual(await lockOf(store, other), { delivery_id: elsewhere, locked_until: 130 });
      }));

    it('releaseLock frees the machine only while that delivery holds it', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        const first = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const second = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const elsewhere = await newDelivery(store, { merchantId: merchant, machineId: other, productId: otherProduct });
        await store.write(BY_TEST, ({ trx }) => deliveries.takeLock(trx, machine, second, 100, 160));
        await store.write(BY_TEST, ({ trx }) => deliveries.takeLock(trx, other, elsewhere, 100, 160));
        await store.write(BY_TEST, ({ trx }) => deliveries.releaseLock(trx, machine, first));
        assert.deepEqual(await lockOf(store, machine), { delivery_id: second, locked_until: 160 });
        await store.write(BY_TEST, ({ trx }) => deliveries.releaseLock(trx, machine, second));
        assert.equal(await lockOf(store, machine), undefined);
        assert.deepEqual(await lockOf(store, other), { delivery_id: elsewhere, locked_until: 160 });
      }));

    it('findOfMachine needs the delivery\'s merchant and machine; findForMachine its machine', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const id = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        assert.equal((await deliveries.findOfMachine(store.db, merchant, machine, id))?.id, id);
        assert.equal(await deliveries.findOfMachine(store.db, stranger, machine, id), undefined);
        assert.equal(await deliveries.findOfMachine(store.db, merchant, other, id), undefined);
        assert.equal(await deliveries.findForMachine(store.db, other, id), undefined);
      }));

    it('settleIf settles the delivery only while it is in the status given, writing the result and its second', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const id = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const other = await newDelivery(store, { merchantId: merchant, machineId: machine, productId: product });
        const settle = (from: 'IS_DELIVERING' | 'IS_SUCCESS', status: 'IS_SUCCESS' | 'IS_FAILED') =>
          store.write(BY_TEST, ({ trx }) => deliveries.settleIf(trx, id, from, { status, floorStatus: 2, failReason: status === 'IS_FAILED' ? 'jam' : null, at: 140 }));
        assert.equal(await settle('IS_SUCCESS', 'IS_FAILED'), false);
        assert.equal(await settle('IS_DELIVERING', 'IS_FAILED'), true);
        assert.equal(await settle('IS_DELIVERING', 'IS_SUCCESS'), false);
        const row = await deliveries.findForMachine(store.db, machine, id);
        assert.deepEqual([row?.status, row?.floor_status, row?.fail_reason, row?.settled_at], ['IS_FAILED', 2, 'jam', 140]);
        assert.equal((await deliveries.findForMachine(store.db, machine, other))?.status, 'IS_DELIVERING');
      }));

    it('overdue lists deliveries still IS_DELIVERING commanded at or before the second, oldest first, up to the limit', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        const at = (createdAt: number, machineId = machine, productId = product) => newDelivery(store, { merchantId: merchant, machineId, productId, createdAt });
        const late = await at(50);
        const onTheSecond = await at(60);
        await at(61);
        const early = await at(40, other, otherProduct);
        const settled = await at(30);
        const alsoEarly = await at(40);
        await store.write(BY_TEST, ({ trx }) => deliveries.settleIf(trx, settled, 'IS_DELIVERING', { status: 'IS_TIMEOUT', floorStatus: 0, failReason: null, at: 70 }));
        assert.deepEqual((await deliveries.overdue(store.db, 60, 10)).map((row) => row.id), [early, alsoEarly, late, onTheSecond]);
        assert.deepEqual((await deliveries.overdue(store.db, 60, 2)).map((row) => row.id), [early, alsoEarly]);
      }));

    it('ofRecords lists the merchant\'s deliveries of those records, oldest first; no records, none', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const stranger = await addMerchant(store);
        const order = await store.write(BY_TEST, ({ trx }) =>
          trx.insertInto('orders').values({ merchant_id: merchant, machine_id: machine, trade_id: null, notify_url: null, amount_cents: 1, status: 'x', pickup_code_id: null, created_at: 1 }).returning('id').executeTakeFirstOrThrow(),
        );
        const records = await store.write(BY_TEST, ({ trx }) =>
          trx.insertInto('order_records').values([1, 2, 3].map(() => ({ order_id: order.id, product_id: product, quantity: 1, price_cents: 1, status: 'x' }))).returning('id').execute(),
        );
        const [r1, r2, r3] = records.map((row) => row.id).sort((a, b) => a - b) as [number, number, number];
        const of = (recordId: number, merchantId = merchant) => newDelivery(store, { merchantId, machineId: machine, productId: product, orderId: order.id, recordId });
        const a = await of(r2);
        const b = await of(r1);
        await of(r3);
        await of(r1, stranger);
        const c = await of(r2);
        assert.deepEqual((await deliveries.ofRecords(store.db, merchant, [r1, r2])).map((row) => row.id), [a, b, c]);
        assert.deepEqual(await deliveries.ofRecords(store.db, merchant, []), []);
      }));
  });
}
