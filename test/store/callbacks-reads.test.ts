/** callbacks.repository.ts: reading the queue back, counting it, and purging what is finished (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as callbacks from '../../src/store/repositories/callbacks.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { queue, setRow, withStore } from './fleet-fixtures.js';

/** Records an attempt at the callback, started at `startedAt`. */
function attempt(store: Store, callbackId: number, number: number, startedAt: number) {
  return store.write(BY_TEST, ({ trx }) =>
    trx.insertInto('callback_attempts').values({ callback_id: callbackId, attempt: number, started_at: startedAt, latency_ms: 1, http_status: 200, error: null, outcome: 'retry' }).execute(),
  );
}

const ids = (rows: Array<{ id: number }>) => rows.map((row) => row.id);
const left = async (store: Store, table: 'callbacks' | 'callback_attempts') => ids(await store.db.selectFrom(table).select('id').orderBy('id').execute());

for (const kind of storeKinds()) {
  describe(`callbacks repository: reads and purges [${kind.name}]`, { skip: kind.skip }, () => {
    it("ofOrder lists the order's callbacks oldest first, only the merchant's when one is named", () =>
      withStore(kind, async (store) => {
        const before = await queue(store, 1, { orderId: 7, merchantId: 2 });
        const otherOrder = await queue(store, 1, { orderId: 8 });
        const mine = await queue(store, 1, { orderId: 7 });
        const after = await queue(store, 1, { orderId: 7 });
        assert.deepEqual(ids(await callbacks.ofOrder(store.db, 7)), [before, mine, after]);
        assert.deepEqual(ids(await callbacks.ofOrder(store.db, 7, 1)), [mine, after]);
        assert.deepEqual(ids(await callbacks.ofOrder(store.db, 8, 2)), []);
        assert.equal(otherOrder, 2);
      }));

    it('attemptsOf lists the attempts at those callbacks by callback and attempt, and none for no callback', () =>
      withStore(kind, async (store) => {
        const first = await queue(store, 1);
        const second = await queue(store, 1);
        const other = await queue(store, 1);
        await attempt(store, second, 2, 20);
        await attempt(store, first, 1, 10);
        await attempt(store, other, 1, 15);
        await attempt(store, second, 1, 12);
        const found = await callbacks.attemptsOf(store.db, [second, first]);
        assert.deepEqual(found.map((row) => [row.callback_id, row.attempt, row.started_at]), [
          [first, 1, 10],
          [second, 1, 12],
          [second, 2, 20],
        ]);
        assert.deepEqual(await callbacks.attemptsOf(store.db, []), []);
      }));

    it('purgeAttemptsBefore deletes up to `limit` attempts started before the second given, oldest first, and counts them', () =>
      withStore(kind, async (store) => {
        const id = await queue(store, 1);
        await attempt(store, id, 1, 99);
        await attempt(store, id, 2, 97);
        await attempt(store, id, 3, 100);
        await attempt(store, id, 4, 98);
        assert.equal(await store.write(BY_TEST, ({ trx }) => callbacks.purgeAttemptsBefore(trx, 100, 2)), 2);
        assert.deepEqual(await left(store, 'callback_attempts'), [1, 3]);
        assert.equal(await store.write(BY_TEST, ({ trx }) => callbacks.purgeAttemptsBefore(trx, 100, 2)), 1);
        assert.deepEqual(await left(store, 'callback_attempts'), [3]);
        assert.deepEqual(await store.db.selectFrom('callbacks').select('attempts').execute(), [{ attempts: 0 }]);
      }));

    it('purgeAttemptsBefore takes the lower id first among attempts started in the same second', () =>
      withStore(kind, async (store) => {
        const id = await queue(store, 1);
        for (const number of [1, 2, 3]) await attempt(store, id, number, 50);
        assert.equal(await store.write(BY_TEST, ({ trx }) => callbacks.purgeAttemptsBefore(trx, 100, 2)), 2);
        assert.deepEqual(await left(store, 'callback_attempts'), [3]);
      }));

    it('purgeFinishedEventsBefore deletes finished events without attempts, finished before the second given, oldest first', () =>
      withStore(kind, async (store) => {
        const finished = async (at: number, state: 'delivered' | 'failed' | 'pending' = 'delivered', kindOf: 'event' | 'notify' = 'event') => {
          const id = await queue(store, 1, { kind: kindOf });
          await setRow(store, id, { state, finished_at: at });
          return id;
        };
        const at98 = await finished(98);
        const at99 = await finished(99, 'failed');
        await finished(100);
        const at97 = await finished(97);
        await finished(50, 'pending');
        await finished(50, 'delivered', 'notify');
        const withAttempt = await finished(50);
        await attempt(store, withAttempt, 1, 49);
        const purge = (limit: number) => store.write(BY_TEST, ({ trx }) => callbacks.purgeFinishedEventsBefore(trx, 100, limit));
        assert.equal(await purge(2), 2);
        assert.deepEqual(await left(store, 'callbacks'), [at99, 3, 5, 6, 7]);
        assert.equal(await purge(10), 1);
        assert.deepEqual(await left(store, 'callbacks'), [3, 5, 6, 7]);
        assert.equal(await purge(10), 0);
        assert.deepEqual([at98, at97], [1, 4]);
      }));

    it('purgeFinishedEventsBefore takes the lower id first among events finished in the same second', () =>
      withStore(kind, async (store) => {
        for (let i = 0; i < 3; i++) await setRow(store, await queue(store, 1), { state: 'delivered', finished_at: 60 });
        assert.equal(await store.write(BY_TEST, ({ trx }) => callbacks.purgeFinishedEventsBefore(trx, 100, 2)), 2);
        assert.deepEqual(await left(store, 'callbacks'), [3]);
      }));

    it("notifyCountsOfOrder sums the attempts at the order's notify url and names the records delivered there", () =>
      withStore(kind, async (store) => {
        const notify = async (recordId: number | null, state: 'pending' | 'delivered' | 'failed', attempts: number, orderId = 7, kindOf: 'notify' | 'event' = 'notify') =>
          setRow(store, await queue(store, 1, { kind: kindOf, orderId, recordId }), { state, attempts });
        await notify(1, 'delivered', 2);
        await notify(2, 'failed', 3);
        await notify(3, 'pending', 1);
        await notify(null, 'delivered', 1);
        await notify(4, 'delivered', 5, 8);
        await notify(5, 'delivered', 7, 7, 'event');
        const counts = await callbacks.notifyCountsOfOrder(store.db, 7);
        assert.equal(counts.sendCount, 7);
        assert.deepEqual([...counts.deliveredRecordIds], [1]);
        assert.deepEqual(await callbacks.notifyCountsOfOrder(store.db, 9), { sendCount: 0, deliveredRecordIds: new Set() });
      }));

    it('countPending counts the callbacks waiting for an attempt', () =>
      withStore(kind, async (store) => {
        assert.equal(await callbacks.countPending(store.db), 0);
        await queue(store, 1);
        await setRow(store, await queue(store, 1), { state: 'delivered' });
        await queue(store, 1);
        await setRow(store, await queue(store, 1), { state: 'failed' });
        assert.equal(await callbacks.countPending(store.db), 2);
      }));

    it("latestOfMerchant answers the merchant's latest callbacks newest first, at most `limit`, before the id given", () =>
      withStore(kind, async (store) => {
        const made: number[] = [];
        for (const merchantId of [1, 2, 1, 1, 2, 1]) made.push(await queue(store, 1, { merchantId }));
        assert.deepEqual(ids(await callbacks.latestOfMerchant(store.db, 1, 3)), [6, 4, 3]);
        assert.deepEqual(ids(await callbacks.latestOfMerchant(store.db, 1, 3, 4)), [3, 1]);
        assert.deepEqual(ids(await callbacks.latestOfMerchant(store.db, 2, 10)), [5, 2]);
        assert.deepEqual(made, [1, 2, 3, 4, 5, 6]);
      }));
  });
}
