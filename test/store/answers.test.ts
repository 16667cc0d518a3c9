/** answers.repository.ts: an answer kept once per merchant and key, until purged (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as answers from '../../src/store/repositories/answers.repository.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMerchant, withStore } from './fleet-fixtures.js';

for (const kind of storeKinds()) {
  describe(`answers repository [${kind.name}]`, { skip: kind.skip }, () => {
    it("find answers the merchant's stored answer under that key, not another merchant's", () =>
      withStore(kind, async (store) => {
        const one = await addMerchant(store, 'one');
        const two = await addMerchant(store, 'two');
        await store.write(BY_TEST, async ({ trx }) => {
          await answers.insert(trx, two, 'k1', { fingerprint: 'f-two', response: '{"two":1}' }, 10);
          await answers.insert(trx, one, 'k1', { fingerprint: 'f-one', response: '{"one":1}' }, 10);
          await answers.insert(trx, two, 'k2', { fingerprint: 'f-two-2', response: '{"two":2}' }, 10);
        });
        assert.deepEqual(await answers.find(store.db, one, 'k1'), { fingerprint: 'f-one', response: '{"one":1}' });
        assert.deepEqual(await answers.find(store.db, two, 'k1'), { fingerprint: 'f-two', response: '{"two":1}' });
        assert.equal(await answers.find(store.db, one, 'k2'), undefined);
      }));

    it('insert is false, and keeps the first answer, when one was stored under the key already', () =>
      withStore(kind, async (store) => {
        const one = await addMerchant(store, 'one');
        assert.equal(await store.write(BY_TEST, ({ trx }) => answers.insert(trx, one, 'k', { fingerprint: 'first', response: 'a' }, 10)), true);
        assert.equal(await store.write(BY_TEST, ({ trx }) => answers.insert(trx, one, 'k', { fingerprint: 'second', response: 'b' }, 11)), false);
        assert.deepEqual(await answers.find(store.db, one, 'k'), { fingerprint: 'first', response: 'a' });
        const stored = await store.db.selectFrom('answered_requests').select('answered_at').execute();
        assert.deepEqual(stored, [{ answered_at: 10 }]);
      }));

    it('purgeAnsweredBefore deletes the answers given before the second given and counts them', () =>
      withStore(kind, async (store) => {
        const one = await addMerchant(store, 'one');
        await store.write(BY_TEST, async ({ trx }) => {
          for (const [key, at] of [['a', 99], ['b', 100], ['c', 98], ['d', 101]] as const) await answers.insert(trx, one, key, { fingerprint: key, response: key }, at);
        });
        assert.equal(await store.write(BY_TEST, ({ trx }) => answers.purgeAnsweredBefore(trx, 100)), 2);
        const left = await store.db.selectFrom('answered_requests').select('idempotency_key').orderBy('idempotency_key').execute();
        assert.deepEqual(left.map((row) => row.idempotency_key), ['b', 'd']);
        assert.equal(await store.write(BY_TEST, ({ trx }) => answers.purgeAnsweredBefore(trx, 100)), 0);
      }));
  });
}
