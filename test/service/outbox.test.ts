/** Outbox housekeeping: pushes sent long ago are deleted; nothing unsent ever is. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { purgeSentPushes, SENT_PUSHES_KEPT_SECONDS } from '../../src/service/outbox.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`purging sent pushes [${kind.name}]`, { skip: kind.skip }, () => {
    it('deletes pushes sent more than a day ago and keeps recent and unsent ones', () =>
      withFreshStore(kind, async (store) => {
        const now = 2_000_000_000;
        const row = (sentAt: number | null) => ({ machine_id: 1, method: 'client.pickup_codes.delete', body: '{}', created_at: 1, sent_at: sentAt });
        await store.write((trx) =>
          trx.insertInto('outbox').values([row(now - SENT_PUSHES_KEPT_SECONDS - 1), row(now - 60), row(null), row(null)]).execute(),
        );
        assert.equal(await store.write((trx) => purgeSentPushes(trx, now)), 1);
        const left = await store.db.selectFrom('outbox').select('sent_at').orderBy('id').execute();
        assert.deepEqual(left.map((r) => r.sent_at), [now - 60, null, null]);
      }));
  });
}
