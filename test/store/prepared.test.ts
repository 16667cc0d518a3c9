/** Prepared queries: compiled once per dialect, run with each call's own values. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { sql } from 'kysely';
import { preparedQuery } from '../../src/store/prepared.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';

const merchantByAppid = preparedQuery((db, appid: string) => db.selectFrom('merchants').select(['name', 'appid']).where('appid', '=', appid));
const renamed = preparedQuery((db, name: string, appid: string) => db.updateTable('merchants').set({ name }).where('appid', '=', appid).returning('name'));

for (const kind of storeKinds()) {
  describe(`preparedQuery [${kind.name}]`, { skip: kind.skip }, () => {
    it('binds each call’s values, inside and outside a transaction', () =>
      withFreshStore(kind, async (store) => {
        for (const name of ['alpha', 'beta']) {
          await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values({ name, appid: `ds-${name}`, app_secret_hash: 'x', created_at: 1 }).execute());
        }
        assert.deepEqual(await merchantByAppid(store.db, 'ds-alpha'), [{ name: 'alpha', appid: 'ds-alpha' }]);
        assert.deepEqual(await merchantByAppid(store.db, 'ds-beta'), [{ name: 'beta', appid: 'ds-beta' }]);
        assert.deepEqual(await merchantByAppid(store.db, "ds-alpha' or '1'='1"), [], 'values are bound, never spliced into the SQL');
        const inside = await store.write(BY_TEST, ({ trx }) => renamed(trx, 'gamma', 'ds-beta'));
        assert.deepEqual(inside, [{ name: 'gamma' }]);
        assert.deepEqual(await merchantByAppid(store.db, 'ds-beta'), [{ name: 'gamma', appid: 'ds-beta' }]);
      }));

    it('inside a write sees that write’s own changes; a read outside sees only what committed', () =>
      withFreshStore(kind, async (store) => {
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values({ name: 'alpha', appid: 'ds-alpha', app_secret_hash: 'x', created_at: 1 }).execute());
        let readMeanwhile: unknown;
        await assert.rejects(
          store.write(BY_TEST, async ({ trx }) => {
            assert.deepEqual(await renamed(trx, 'changed', 'ds-alpha'), [{ name: 'changed' }]);
            assert.deepEqual(await merchantByAppid(trx, 'ds-alpha'), [{ name: 'changed', appid: 'ds-alpha' }]);
            // On SQLite the read runs on its own connection, directly: it must not see the open batch.
            readMeanwhile = await merchantByAppid(store.db, 'ds-alpha');
            throw new Error('roll it back');
          }),
          /roll it back/,
        );
        assert.deepEqual(readMeanwhile, [{ name: 'alpha', appid: 'ds-alpha' }]);
        assert.deepEqual(await merchantByAppid(store.db, 'ds-alpha'), [{ name: 'alpha', appid: 'ds-alpha' }], 'the failed write left nothing');
      }));

    it('refuses a query that does not bind every argument', () =>
      withFreshStore(kind, async (store) => {
        const inlined = preparedQuery((db, appid: string) => db.selectFrom('merchants').select('name').where('appid', '=', sql.lit(appid)));
        await assert.rejects(inlined(store.db, 'x'), /every argument must be a bound parameter/);
      }));
  });
}
