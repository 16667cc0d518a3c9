/**
 * codes.repository.ts, its writes: inserting codes, the conditional UPDATEs that cancel or
 * spend one, and the steps of a bulk cancel. Each acts on the machine's (or the product's)
 * UNUSED codes only, and leaves every other row as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as codes from '../../src/store/repositories/codes.repository.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, addCodes, codeRow, twoMachines } from './repository-fixtures.js';

const MARK = { at: 500, by: 'merchant:7', cancelId: 'req-1' };

for (const kind of storeKinds()) {
  describe(`codes repository, writes [${kind.name}]`, { skip: kind.skip }, () => {
    it('inserts UNUSED codes of quantity 1, skipping only digits the machine has UNUSED already', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        await addCode(store, machine, product, { code: '111111' });
        await addCode(store, machine, product, { code: '222222', status: 'USED' });
        await addCode(store, other, otherProduct, { code: '333333' });
        const inserted = await store.write(BY_TEST, ({ trx }) =>
          codes.insertUnlessTaken(trx, ['111111', '222222', '333333'].map((code) => ({ machine_id: machine, product_id: product, code, expired_at: 900, created_at: 40 }))),
        );
        assert.deepEqual(
          inserted.map((row) => [row.code, row.status, row.quantity, row.expired_at, row.created_at]),
          [
            ['222222', 'UNUSED', 1, 900, 40],
            ['333333', 'UNUSED', 1, 900, 40],
          ],
        );
      }));

    it('cancelIfUnused cancels an UNUSED code of the machine and writes who, when and which request', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product } = await twoMachines(store);
        const before = await addCode(store, machine, product);
        const id = await addCode(store, machine, product);
        const after = await addCode(store, machine, product);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.cancelIfUnused(trx, machine, id, MARK)), true);
        const row = await codeRow(store, id);
        assert.deepEqual([row.status, row.cancelled_at, row.cancelled_by, row.cancel_request_id], ['CANCELLED', 500, 'merchant:7', 'req-1']);
        assert.equal((await codeRow(store, before)).status, 'UNUSED');
        assert.equal((await codeRow(store, after)).status, 'UNUSED');
      }));

    it('cancelIfUnused is false, and changes nothing, for a code not UNUSED or of another machine', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const used = await addCode(store, machine, product, { status: 'USED' });
        const elsewhere = await addCode(store, other, otherProduct);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.cancelIfUnused(trx, machine, used, MARK)), false);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.cancelIfUnused(trx, machine, elsewhere, MARK)), false);
        assert.equal((await codeRow(store, used)).status, 'USED');
        assert.equal((await codeRow(store, elsewhere)).status, 'UNUSED');
      }));

    it('findStatesForChange finds the machine\'s codes among the ids, in chunks past 500, with status, order and expiry', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const ids = await addCodes(store, machine, product, 502, { expiredAt: 77 });
        const elsewhere = await addCode(store, other, otherProduct);
        const found = await store.write(BY_TEST, ({ trx }) => codes.findStatesForChange(trx, machine, [...ids, elsewhere, 999999]));
        assert.equal(found.size, 502);
        assert.deepEqual(found.get(ids[501]!), { id: ids[501], status: 'UNUSED', order_id: null, expired_at: 77 });
        assert.deepEqual(found.get(ids[0]!), { id: ids[0], status: 'UNUSED', order_id: null, expired_at: 77 });
        assert.equal(found.has(elsewhere), false);
      }));

    it('cancelIds cancels the machine\'s UNUSED codes among the ids, in chunks past 500, and counts them', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const ids = await addCodes(store, machine, product, 501);
        const used = await addCode(store, machine, product, { status: 'USED' });
        const elsewhere = await addCode(store, other, otherProduct);
        const untouched = await addCode(store, machine, product);
        const count = await store.write(BY_TEST, ({ trx }) => codes.cancelIds(trx, machine, [...ids, used, elsewhere], MARK));
        assert.equal(count, 501);
        const last = await codeRow(store, ids[500]!);
        assert.deepEqual([last.status, last.cancel_request_id], ['CANCELLED', 'req-1']);
        assert.equal((await codeRow(store, ids[0]!)).status, 'CANCELLED');
        assert.equal((await codeRow(store, used)).status, 'USED');
        assert.equal((await codeRow(store, elsewhere)).status, 'UNUSED');
        assert.equal((await codeRow(store, untouched)).status, 'UNUSED');
      }));

    it('findStatesForChange and cancelIds take more ids than SQLite binds in one statement (40,000)', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product } = await twoMachines(store);
        const id = await addCode(store, machine, product);
        const many = [id, ...Array.from({ length: 40_000 }, (_, index) => 1_000_000 + index)];
        const found = await store.write(BY_TEST, ({ trx }) => codes.findStatesForChange(trx, machine, many));
        assert.deepEqual([...found.keys()], [id]);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.cancelIds(trx, machine, many, MARK)), 1);
        assert.equal((await codeRow(store, id)).status, 'CANCELLED');
      }));

    it('newestUnusedId is the highest id of the scope\'s UNUSED codes; none gives undefined', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct, secondProduct } = await twoMachines(store);
        const first = await addCode(store, machine, product);
        const newest = await addCode(store, machine, product);
        const ofSecond = await addCode(store, machine, secondProduct);
        await addCode(store, machine, product, { status: 'USED' });
        await addCode(store, other, otherProduct);
        assert.ok(first < newest);
        assert.equal(await codes.newestUnusedId(store.db, { machineId: machine, productId: product }), newest);
        assert.equal(await codes.newestUnusedId(store.db, { machineId: machine }), ofSecond);
        assert.equal(await codes.newestUnusedId(store.db, { machineId: machine, productId: otherProduct }), undefined);
      }));

    it('stepEndId closes a step after `size` UNUSED codes of the scope past `after`, or at `upTo` when fewer are left', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product, secondProduct } = await twoMachines(store);
        const a = await addCode(store, machine, product);
        const b = await addCode(store, machine, product);
        await addCode(store, machine, secondProduct);
        await addCode(store, machine, product, { status: 'CANCELLED' });
        const c = await addCode(store, machine, product);
        const d = await addCode(store, machine, product);
        const scope = { machineId: machine, productId: product };
        assert.equal(await codes.stepEndId(store.db, scope, 0, d, 2), b);
        assert.equal(await codes.stepEndId(store.db, scope, a, d, 2), c);
        assert.equal(await codes.stepEndId(store.db, scope, b, d, 1), c);
        assert.equal(await codes.stepEndId(store.db, scope, b, c, 2), c);
        assert.equal(await codes.stepEndId(store.db, scope, c, d, 5), d);
        assert.equal(await codes.stepEndId(store.db, { machineId: machine }, a, d, 2), b + 1);
      }));

    it('cancelStep cancels the scope\'s UNUSED codes with ids in (after, through] and returns their ids', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct, secondProduct } = await twoMachines(store);
        const a = await addCode(store, machine, product);
        const b = await addCode(store, machine, product);
        const ofSecond = await addCode(store, machine, secondProduct);
        const used = await addCode(store, machine, product, { status: 'USED' });
        const c = await addCode(store, machine, product);
        const d = await addCode(store, machine, product);
        const elsewhere = await addCode(store, other, otherProduct);
        const ids = await store.write(BY_TEST, ({ trx }) => codes.cancelStep(trx, { machineId: machine, productId: product }, a, c, MARK));
        assert.deepEqual(ids.sort((x, y) => x - y), [b, c]);
        const statuses = await Promise.all([a, b, ofSecond, used, c, d, elsewhere].map(async (id) => (await codeRow(store, id)).status));
        assert.deepEqual(statuses, ['UNUSED', 'CANCELLED', 'UNUSED', 'USED', 'CANCELLED', 'UNUSED', 'UNUSED']);
        assert.equal((await codeRow(store, b)).cancel_request_id, 'req-1');
        const wide = await store.write(BY_TEST, ({ trx }) => codes.cancelStep(trx, { machineId: machine }, 0, d, MARK));
        assert.deepEqual(wide.sort((x, y) => x - y), [a, ofSecond, d]);
      }));

    it('markUsedIfUnused spends an UNUSED code at the time given; false for one already spent or cancelled', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product } = await twoMachines(store);
        const id = await addCode(store, machine, product);
        const cancelled = await addCode(store, machine, product, { status: 'CANCELLED' });
        const other = await addCode(store, machine, product);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.markUsedIfUnused(trx, id, 321)), true);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.markUsedIfUnused(trx, id, 400)), false);
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.markUsedIfUnused(trx, cancelled, 400)), false);
        const row = await codeRow(store, id);
        assert.deepEqual([row.status, row.used_at], ['USED', 321]);
        assert.deepEqual([(await codeRow(store, cancelled)).status, (await codeRow(store, other)).status], ['CANCELLED', 'UNUSED']);
      }));

    it('markUsedFrom spends the code only while it is in the status given', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product } = await twoMachines(store);
        const cancelled = await addCode(store, machine, product, { status: 'CANCELLED' });
        const other = await addCode(store, machine, product, { status: 'CANCELLED' });
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.markUsedFrom(trx, cancelled, 'UNUSED', 60)), false);
        assert.equal((await codeRow(store, cancelled)).status, 'CANCELLED');
        assert.equal(await store.write(BY_TEST, ({ trx }) => codes.markUsedFrom(trx, cancelled, 'CANCELLED', 61)), true);
        const row = await codeRow(store, cancelled);
        assert.deepEqual([row.status, row.used_at], ['USED', 61]);
        assert.equal((await codeRow(store, other)).status, 'CANCELLED');
      }));

    it('linkToOrder sets the order of that code alone', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, product } = await twoMachines(store);
        const id = await addCode(store, machine, product, { status: 'USED' });
        const other = await addCode(store, machine, product, { status: 'USED' });
        const order = await store.write(BY_TEST, ({ trx }) =>
          trx.insertInto('orders').values({ merchant_id: merchant, machine_id: machine, trade_id: 't', notify_url: null, amount_cents: 1, status: 'PICKUPCODE', pickup_code_id: id, created_at: 1 }).returning('id').executeTakeFirstOrThrow(),
        );
        await store.write(BY_TEST, ({ trx }) => codes.linkToOrder(trx, id, order.id));
        assert.equal((await codeRow(store, id)).order_id, order.id);
        assert.equal((await codeRow(store, other)).order_id, null);
      }));
  });
}
