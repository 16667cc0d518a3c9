/**
 * codes.repository.ts, its reads: one code of a machine, the live codes (UNUSED and not past
 * their expiry second) and their counts, what changed since a second, and the filtered pages
 * and counts of the merchant's code list. One machine's codes never show in another's.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as codes from '../../src/store/repositories/codes.repository.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, addMachine, addMerchant, addProduct, twoMachines } from './repository-fixtures.js';

const NOW = 1000;

for (const kind of storeKinds()) {
  describe(`codes repository, reads [${kind.name}]`, { skip: kind.skip }, () => {
    it('findState and findOfMachine find a code of that machine only', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const id = await addCode(store, machine, product, { code: '123456', status: 'USED', expiredAt: 70 });
        const elsewhere = await addCode(store, other, otherProduct);
        assert.deepEqual(await codes.findState(store.db, machine, id), { id, status: 'USED', order_id: null, expired_at: 70 });
        assert.equal(await codes.findState(store.db, machine, elsewhere), undefined);
        assert.equal((await codes.findOfMachine(store.db, machine, id))?.code, '123456');
        assert.equal(await codes.findOfMachine(store.db, machine, elsewhere), undefined);
      }));

    it('liveOnMachine lists the machine\'s UNUSED codes unexpired at now (expiry second excluded), ascending id', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct, secondProduct } = await twoMachines(store);
        await addCode(store, other, otherProduct);
        const noExpiry = await addCode(store, machine, product, { code: '100001' });
        await addCode(store, machine, product, { expiredAt: NOW });
        const later = await addCode(store, machine, secondProduct, { code: '100003', expiredAt: NOW + 1 });
        await addCode(store, machine, product, { status: 'USED' });
        await addCode(store, machine, product, { status: 'CANCELLED' });
        await addCode(store, other, otherProduct);
        assert.deepEqual(await codes.liveOnMachine(store.db, machine, NOW), [
          { id: noExpiry, product_id: product, code: '100001', quantity: 1, expired_at: null },
          { id: later, product_id: secondProduct, code: '100003', quantity: 1, expired_at: NOW + 1 },
        ]);
      }));

    it('liveCountsByProduct counts each product\'s live codes on the machine, leaving out products with none', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct, secondProduct } = await twoMachines(store);
        const third = await addProduct(store, machine);
        await addCode(store, machine, product);
        await addCode(store, machine, product, { expiredAt: NOW + 1 });
        await addCode(store, machine, product, { expiredAt: NOW });
        await addCode(store, machine, secondProduct);
        await addCode(store, machine, third, { status: 'USED' });
        await addCode(store, other, otherProduct);
        assert.deepEqual(
          await codes.liveCountsByProduct(store.db, machine, NOW),
          new Map([
            [product, 2],
            [secondProduct, 1],
          ]),
        );
      }));

    it('liveCountsByMachine counts the live codes of each of the merchant\'s machines, or of the one given', () =>
      withFreshStore(kind, async (store) => {
        const { merchant, machine, other, product, otherProduct } = await twoMachines(store);
        const someoneElse = await addMerchant(store);
        const theirs = await addMachine(store, someoneElse, '20000002');
        const theirProduct = await addProduct(store, theirs);
        await addCode(store, theirs, theirProduct);
        await addCode(store, machine, product);
        await addCode(store, machine, product);
        await addCode(store, machine, product, { expiredAt: NOW });
        await addCode(store, other, otherProduct);
        await addCode(store, other, otherProduct, { status: 'CANCELLED' });
        assert.deepEqual(
          await codes.liveCountsByMachine(store.db, merchant, NOW),
          new Map([
            [machine, 2],
            [other, 1],
          ]),
        );
        assert.deepEqual(await codes.liveCountsByMachine(store.db, merchant, NOW, other), new Map([[other, 1]]));
      }));

    it('changedOnMachineSince lists codes created, used or cancelled at or after the second, ascending id, each with whether it is live', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const since = 500;
        await addCode(store, machine, product, { createdAt: since - 1 });
        const created = await addCode(store, machine, product, { code: '200001', createdAt: since, expiredAt: NOW + 5 });
        const used = await addCode(store, machine, product, { code: '200002', createdAt: 1, status: 'USED', usedAt: since });
        await addCode(store, machine, product, { createdAt: 1, status: 'USED', usedAt: since - 1 });
        const cancelled = await addCode(store, machine, product, { code: '200003', createdAt: 1, status: 'CANCELLED', cancelledAt: since });
        await addCode(store, machine, product, { createdAt: 1, status: 'CANCELLED', cancelledAt: since - 1 });
        const expired = await addCode(store, machine, product, { code: '200004', createdAt: since + 1, expiredAt: NOW });
        await addCode(store, other, otherProduct, { createdAt: since });
        assert.deepEqual(await codes.changedOnMachineSince(store.db, machine, since, NOW), [
          { id: created, product_id: product, code: '200001', quantity: 1, expired_at: NOW + 5, live: true },
          { id: used, product_id: product, code: '200002', quantity: 1, expired_at: null, live: false },
          { id: cancelled, product_id: product, code: '200003', quantity: 1, expired_at: null, live: false },
          { id: expired, product_id: product, code: '200004', quantity: 1, expired_at: NOW, live: false },
        ]);
      }));

    describe('the code list: filters, counts and pages', () => {
      async function listed(store: Parameters<Parameters<typeof withFreshStore>[1]>[0]) {
        const { machine, other, product, otherProduct, secondProduct } = await twoMachines(store);
        await addCode(store, other, otherProduct, { code: '123000' });
        const ids = {
          live: await addCode(store, machine, product, { code: '123001' }),
          liveLater: await addCode(store, machine, product, { code: '123002', expiredAt: NOW + 1 }),
          expired: await addCode(store, machine, product, { code: '123003', expiredAt: NOW }),
          used: await addCode(store, machine, product, { code: '123004', status: 'USED', expiredAt: NOW - 5 }),
          cancelled: await addCode(store, machine, product, { code: '123005', status: 'CANCELLED' }),
          ofSecond: await addCode(store, machine, secondProduct, { code: '923006' }),
        };
        await addCode(store, other, otherProduct, { code: '123007' });
        return { machine, product, ids };
      }
      const page = async (store: Parameters<typeof codes.pageOfMachine>[0], machine: number, filter: Omit<codes.CodeFilter, 'now'>, limit = 10, from: { offset: number; afterId?: number } = { offset: 0 }) =>
        (await codes.pageOfMachine(store, machine, { ...filter, now: NOW }, limit, from)).map((row) => row.id);

      it('each status filter picks its codes: live, expired (at or past the expiry second), used, cancelled, all', () =>
        withFreshStore(kind, async (store) => {
          const { machine, ids } = await listed(store);
          assert.deepEqual(await page(store.db, machine, { status: 'UNUSED' }), [ids.live, ids.liveLater, ids.ofSecond]);
          assert.deepEqual(await page(store.db, machine, { status: 'EXPIRED' }), [ids.expired]);
          assert.deepEqual(await page(store.db, machine, { status: 'USED' }), [ids.used]);
          assert.deepEqual(await page(store.db, machine, { status: 'CANCELLED' }), [ids.cancelled]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL' }), Object.values(ids));
        }));

      it('the product and the code prefix narrow the list; the prefix matches only the start of the digits', () =>
        withFreshStore(kind, async (store) => {
          const { machine, product, ids } = await listed(store);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL', productId: product }), [ids.live, ids.liveLater, ids.expired, ids.used, ids.cancelled]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL', codePrefix: '1230' }), [ids.live, ids.liveLater, ids.expired, ids.used, ids.cancelled]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL', codePrefix: '923' }), [ids.ofSecond]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL', codePrefix: '23' }), []);
        }));

      it('a page takes `limit` rows in id order after skipping `offset`, or after the id given', () =>
        withFreshStore(kind, async (store) => {
          const { machine, ids } = await listed(store);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL' }, 2), [ids.live, ids.liveLater]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL' }, 2, { offset: 2 }), [ids.expired, ids.used]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL' }, 2, { offset: 0, afterId: ids.used }), [ids.cancelled, ids.ofSecond]);
          assert.deepEqual(await page(store.db, machine, { status: 'ALL' }, 2, { offset: 1, afterId: ids.live }), [ids.expired, ids.used]);
          const full = await codes.pageOfMachine(store.db, machine, { status: 'USED', now: NOW }, 1, { offset: 0 });
          assert.deepEqual([full[0]?.code, full[0]?.status, full[0]?.expired_at], ['123004', 'USED', NOW - 5]);
        }));

      it('countOfMachine counts the matching codes up to the cap', () =>
        withFreshStore(kind, async (store) => {
          const { machine, product } = await listed(store);
          assert.equal(await codes.countOfMachine(store.db, machine, { status: 'ALL', now: NOW }, 100), 6);
          assert.equal(await codes.countOfMachine(store.db, machine, { status: 'ALL', now: NOW }, 4), 4);
          assert.equal(await codes.countOfMachine(store.db, machine, { status: 'UNUSED', now: NOW, productId: product }, 100), 2);
          assert.equal(await codes.countOfMachine(store.db, machine, { status: 'EXPIRED', now: NOW }, 100), 1);
        }));
    });
  });
}
