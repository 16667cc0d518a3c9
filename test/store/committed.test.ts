/** The store's committed event: what wakes the machine link after a change. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';

const newMerchant = (name: string) => ({ name, appid: `ds${name}`.padEnd(18, '0'), app_secret_hash: 'sha256:x', created_at: 1 });

for (const kind of storeKinds()) {
  describe(`the committed event [${kind.name}]`, { skip: kind.skip }, () => {
    it('fires once per committed write, after its commit, and never for a write that failed', () =>
      withFreshStore(kind, async (store) => {
        const seen: number[] = [];
        const counted: Array<Promise<number>> = [];
        store.onCommit(() => seen.push(0));
        // Whatever the write committed is visible to the listener.
        const stop = store.onCommit(() => {
          counted.push(store.db.selectFrom('merchants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((row) => Number(row.n)));
        });
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('first')).execute());
        await assert.rejects(
          store.write(BY_TEST, async ({ trx }) => {
            await trx.insertInto('merchants').values(newMerchant('second')).execute();
            throw new Error('changed my mind');
          }),
        );
        assert.deepEqual(seen, [0]);
        assert.deepEqual(await Promise.all(counted), [1]);
        stop();
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('third')).execute());
        assert.deepEqual(seen, [0, 0]);
        assert.equal(counted.length, 1);
      }));
  });
}
