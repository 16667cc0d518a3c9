/** Outbox housekeeping: pushes sent long ago are deleted; nothing unsent ever is. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { purgeSentPushes } from '../../src/service/outbox.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';

/** The promise of docs/mqtt.md, written here as a literal: a sent push is kept 24 hours. */
const DAY = 24 * 3600;

for (const kind of storeKinds()) {
  describe(`purging sent pushes [${kind.name}]`, { skip: kind.skip }, () => {
    it('deletes pushes sent more than 24 hours ago and keeps those sent within them, and every unsent one', () =>
      withFreshStore(kind, async (store) => {
        const now = 2_000_000_000;
        const row = (sentAt: number | null) => ({ machine_id: 1, method: 'client.pickup_codes.delete', body: '{}', created_at: 1, sent_at: sentAt });
        const kept = [now - DAY + 1, now - 3600, now - 60];
        await store.write(BY_TEST, ({ trx }) =>
          trx.insertInto('outbox').values([row(now - DAY - 1), row(now - 2 * DAY), ...kept.map(row), row(null), row(null)]).execute(),
        );
        assert.equal(await store.write(BY_TEST, ({ trx }) => purgeSentPushes(trx, now)), 2);
        const left = await store.db.selectFrom('outbox').select('sent_at').orderBy('id').execute();
        assert.deepEqual(left.map((r) => r.sent_at), [...kept, null, null]);
      }));
  });
}
