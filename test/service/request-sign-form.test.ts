/**
 * The form of a merchant's latest signed request, which its callbacks follow (issue 26), is
 * written only when it changes: a merchant that keeps one library costs no write per
 * request, whether its row comes from the directory's cache or fresh from the store; and a
 * request whose payload reads the same in every form (so matched `raw` first, whoever
 * signed it) leaves the known form alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { createMerchant } from '../../src/service/admin.js';
import { MerchantDirectory } from '../../src/service/merchants.js';
import type { Store } from '../../src/store/store.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

/** Commits made while `work` runs. */
async function commitsDuring(store: Store, work: () => Promise<void>): Promise<number> {
  let commits = 0;
  const stop = store.onCommit(() => commits++);
  try {
    await work();
  } finally {
    stop();
  }
  return commits;
}

const formOf = async (store: Store, merchantId: number) =>
  (await store.db.selectFrom('merchants').select('request_sign_form').where('id', '=', merchantId).executeTakeFirstOrThrow()).request_sign_form;

for (const kind of storeKinds()) {
  describe(`the latest request signing form [${kind.name}]`, { skip: kind.skip }, () => {
    for (const staleSeconds of [0, 60]) {
      it(`is written once per change, never again for the same form, and not for a request that reads the same in every form (directory cache ${staleSeconds} s)`, () =>
        withFreshStore(kind, async (store) => {
          const { merchant_id, appid } = await createMerchant(store, { name: 'Forms' });
          assert.equal(await formOf(store, merchant_id), null, 'none before the first request');
          const directory = new MerchantDirectory(store, staleSeconds);
          const accepted = (form: 'raw' | 'query-escaped', payload: Record<string, string>) => async () =>
            directory.recordSigningForm((await directory.findByAppid(appid))!, payload, form, { actor: `merchant:${merchant_id}`, requestId: null, at: 1764400000 });
          const spaced = { expired_at: '2030-12-31 23:59:59', timestamp: '1764400000' };
          const plain = { machine_no: '10000001', method: 'machine.products', timestamp: '1764400000' };

          assert.equal(await commitsDuring(store, accepted('raw', spaced)), 1);
          assert.equal(await formOf(store, merchant_id), 'raw');
          assert.equal(await commitsDuring(store, async () => { for (let i = 0; i < 5; i++) await accepted('raw', spaced)(); }), 0);
          assert.equal(await commitsDuring(store, accepted('query-escaped', spaced)), 1);
          assert.equal(await formOf(store, merchant_id), 'query-escaped');
          assert.equal(await commitsDuring(store, accepted('query-escaped', spaced)), 0);
          assert.equal(await commitsDuring(store, accepted('raw', plain)), 0, 'plain values read the same in every form: no news of the library');
          assert.equal(await formOf(store, merchant_id), 'query-escaped');
        }));
    }
  });
}
