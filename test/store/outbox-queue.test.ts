/**
 * outbox.repository.ts, what goes in: pushes queued in the change's transaction (telling the
 * Work the dispatcher has something once it commits), the deletes of a bulk cancel's marked
 * codes written by the database, and the purge of pushes sent long ago.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as outbox from '../../src/store/repositories/outbox.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { markedByOneCancel, twoMachines } from './repository-fixtures.js';

const rows = (store: Store) => store.db.selectFrom('outbox').select(['machine_id', 'method', 'body', 'created_at', 'sent_at']).orderBy('id').execute();

for (const kind of storeKinds()) {
  describe(`outbox repository, queueing [${kind.name}]`, { skip: kind.skip }, () => {
    it('enqueue writes one message as an unsent row of the machine, its fields as JSON, and tells the Work', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const queued = await store.write(BY_TEST, async (work) => {
          await outbox.enqueue(work, machine, [{ method: 'client.pickup_codes.delete', fields: { id: '17' } }], 640);
          return work.queued;
        });
        assert.deepEqual(queued, { pushes: true, callbacks: false });
        assert.deepEqual(await rows(store), [{ machine_id: machine, method: 'client.pickup_codes.delete', body: '{"id":"17"}', created_at: 640, sent_at: null }]);
      }));

    it('enqueue writes many messages in their order, in chunks of 500', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const messages = Array.from({ length: 1000 }, (_, index) => ({ method: index % 2 ? 'b' : 'a', fields: { n: String(index) } }));
        await store.write(BY_TEST, (work) => outbox.enqueue(work, machine, messages, 9));
        const written = await rows(store);
        assert.equal(written.length, 1000);
        assert.deepEqual(written[0], { machine_id: machine, method: 'a', body: '{"n":"0"}', created_at: 9, sent_at: null });
        assert.deepEqual(written[999], { machine_id: machine, method: 'b', body: '{"n":"999"}', created_at: 9, sent_at: null });
        assert.deepEqual(written.slice(499, 502).map((row) => row.body), ['{"n":"499"}', '{"n":"500"}', '{"n":"501"}']);
      }));

    it('enqueueDeletesForMarked queues one delete per code its cancel marked within (after, through], in id order', () =>
      withFreshStore(kind, async (store) => {
        const { machine, first, second, third } = await markedByOneCancel(store);
        const queued = await store.write(BY_TEST, async (work) => {
          await outbox.enqueueDeletesForMarked(work, { machineId: machine, cancelId: 'bulk-1', after: first, through: third }, 777);
          return work.queued.pushes;
        });
        assert.equal(queued, true);
        assert.deepEqual(await rows(store), [
          { machine_id: machine, method: 'client.pickup_codes.delete', body: `{"id":"${second}"}`, created_at: 777, sent_at: null },
          { machine_id: machine, method: 'client.pickup_codes.delete', body: `{"id":"${third}"}`, created_at: 777, sent_at: null },
        ]);
      }));

    it('purgeSent deletes the rows sent before the second given and counts them; later and unsent rows stay', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const row = (sentAt: number | null) => ({ machine_id: machine, method: 'm', body: String(sentAt), created_at: 1, sent_at: sentAt });
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('outbox').values([row(99), row(100), row(null), row(50), row(101)]).execute());
        assert.equal(await store.write(BY_TEST, ({ trx }) => outbox.purgeSent(trx, 100)), 2);
        assert.deepEqual((await rows(store)).map((r) => r.sent_at), [100, null, 101]);
      }));
  });
}
