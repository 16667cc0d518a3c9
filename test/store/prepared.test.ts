/** Prepared queries: compiled once per dialect, run with each call's own values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { preparedQuery } from '../../src/store/prepared.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

const merchantByAppid = preparedQuery((db, appid: string) => db.selectFrom('merchants').select(['name', 'appid']).where('appid', '=', appid));
const renamed = preparedQuery((db, name: string, appid: string) => db.updateTable('merchants').set({ name }).where('appid', '=', appid).returning('name'));

for (const kind of storeKinds()) {
  describe(`preparedQuery [${kind.name}]`, () => {
    it('binds each call’s values, inside and outside a transaction', () =>
      withFreshStore(kind, async (store) => {
        for (const name of ['alpha', 'beta']) {
          await store.write((trx) => trx.insertInto('merchants').values({ name, appid: `ds-${name}`, app_secret_hash: 'x', created_at: 1 }).execute());
        }
        assert.deepEqual(await merchantByAppid(store.db, 'ds-alpha'), [{ name: 'alpha', appid: 'ds-alpha' }]);
        assert.deepEqual(await merchantByAppid(store.db, 'ds-beta'), [{ name: 'beta', appid: 'ds-beta' }]);
        assert.deepEqual(await merchantByAppid(store.db, "ds-alpha' or '1'='1"), [], 'values are bound, never spliced into the SQL');
        const inside = await store.write((trx) => renamed(trx, 'gamma', 'ds-beta'));
        assert.deepEqual(inside, [{ name: 'gamma' }]);
        assert.deepEqual(await merchantByAppid(store.db, 'ds-beta'), [{ name: 'gamma', appid: 'ds-beta' }]);
      }));

    it('refuses a query that does not bind every argument', () =>
      withFreshStore(kind, async (store) => {
        const inlined = preparedQuery((db, appid: string) => db.selectFrom('merchants').select('name').where('appid', '=', sql.lit(appid)));
        await assert.rejects(inlined(store.db, 'x'), /every argument must be a bound parameter/);
      }));
  });
}
