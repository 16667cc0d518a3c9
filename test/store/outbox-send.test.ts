/**
 * outbox.repository.ts, what the dispatcher and the reads take out: the machines with unsent
 * rows, a machine's oldest unsent rows, marking them sent, the pushes that named a code, and
 * the backlog. One machine's rows never show in another's.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as outbox from '../../src/store/repositories/outbox.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import { addMachine, addMerchant } from './repository-fixtures.js';

interface Row {
  machine: number;
  method?: string;
  body?: string;
  createdAt?: number;
  sentAt?: number | null;
}

/** Writes the rows in order; their ids, ascending. */
async function push(store: Store, ...rows: Row[]): Promise<number[]> {
  const written = await store.write(BY_TEST, ({ trx }) =>
    trx
      .insertInto('outbox')
      .values(rows.map((row) => ({ machine_id: row.machine, method: row.method ?? 'm', body: row.body ?? '{}', created_at: row.createdAt ?? 1, sent_at: row.sentAt ?? null })))
      .returning('id')
      .execute(),
  );
  return written.map((row) => row.id).sort((a, b) => a - b);
}

async function machines(store: Store, count: number): Promise<number[]> {
  const merchant = await addMerchant(store);
  const ids: number[] = [];
  for (let n = 0; n < count; n++) ids.push(await addMachine(store, merchant, String(30000001 + n)));
  return ids;
}

const sentAt = async (store: Store) => (await store.db.selectFrom('outbox').select('sent_at').orderBy('id').execute()).map((row) => row.sent_at);

for (const kind of storeKinds()) {
  describe(`outbox repository, sending [${kind.name}]`, { skip: kind.skip }, () => {
    it('machinesWithUnsent lists machines with an unsent row, ascending, up to the limit, leaving out those excepted', () =>
      withFreshStore(kind, async (store) => {
        const [a, b, c, d, e] = (await machines(store, 5)) as [number, number, number, number, number];
        await push(store, { machine: d }, { machine: b, sentAt: 5 }, { machine: a }, { machine: e }, { machine: c }, { machine: c, sentAt: 5 });
        assert.deepEqual(await outbox.machinesWithUnsent(store.db, 10, []), [a, c, d, e]);
        assert.deepEqual(await outbox.machinesWithUnsent(store.db, 2, []), [a, c]);
        assert.deepEqual(await outbox.machinesWithUnsent(store.db, 2, [a, d]), [c, e]);
      }));

    it('lockMachine holds a machine no other transaction holds (on SQLite, always: one process owns the file)', () =>
      withFreshStore(kind, async (store) => {
        const [a] = await machines(store, 1);
        assert.equal(await store.write(BY_TEST, ({ trx }) => outbox.lockMachine(trx, a!)), true);
      }));

    it('unsentOf gives the machine\'s oldest unsent rows in the order written, up to the limit', () =>
      withFreshStore(kind, async (store) => {
        const [a, b] = (await machines(store, 2)) as [number, number];
        const ids = await push(
          store,
          { machine: b },
          { machine: a, method: 'one', body: '{"n":1}', createdAt: 9 },
          { machine: a, sentAt: 3 },
          { machine: a, method: 'two', body: '{"n":2}', createdAt: 2 },
          { machine: a, method: 'three' },
          { machine: b },
        );
        assert.deepEqual(await outbox.unsentOf(store.db, a, 2), [
          { id: ids[1], method: 'one', body: '{"n":1}' },
          { id: ids[3], method: 'two', body: '{"n":2}' },
        ]);
        assert.deepEqual((await outbox.unsentOf(store.db, a, 10)).map((row) => row.method), ['one', 'two', 'three']);
      }));

    it('unsentIdsOf gives the machine\'s unsent rows of the methods named', () =>
      withFreshStore(kind, async (store) => {
        const [a, b] = (await machines(store, 2)) as [number, number];
        const ids = await push(store, { machine: a, method: 'x' }, { machine: a, method: 'y' }, { machine: a, method: 'x', sentAt: 4 }, { machine: b, method: 'x' }, { machine: a, method: 'z' });
        assert.deepEqual((await outbox.unsentIdsOf(store.db, a, ['x', 'z'])).sort((p, q) => p - q), [ids[0], ids[4]]);
      }));

    it('newestIdOf is the id of the machine\'s newest row, sent or not, and 0 when it has none', () =>
      withFreshStore(kind, async (store) => {
        const [a, b, c] = (await machines(store, 3)) as [number, number, number];
        const ids = await push(store, { machine: a }, { machine: a, sentAt: 8 }, { machine: b });
        assert.equal(await outbox.newestIdOf(store.db, a), ids[1]);
        assert.equal(await outbox.newestIdOf(store.db, c), 0);
      }));

    it('markSent marks the rows named sent at now, keeps the time of any sent already, and leaves the others', () =>
      withFreshStore(kind, async (store) => {
        const [a] = (await machines(store, 1)) as [number];
        const ids = await push(store, { machine: a }, { machine: a, sentAt: 3 }, { machine: a }, { machine: a });
        await store.write(BY_TEST, ({ trx }) => outbox.markSent(trx, [ids[0]!, ids[1]!, ids[3]!], 50));
        assert.deepEqual(await sentAt(store), [50, 3, null, 50]);
        await store.write(BY_TEST, ({ trx }) => outbox.markSent(trx, [], 60));
        assert.deepEqual(await sentAt(store), [50, 3, null, 50]);
      }));

    it('codePushesAt finds the machine\'s pushes of those methods that name the code by its id (not a product_id) in that second', () =>
      withFreshStore(kind, async (store) => {
        const [a, b] = (await machines(store, 2)) as [number, number];
        const create = 'client.pickup_codes.create';
        const remove = 'client.pickup_codes.delete';
        const ids = await push(
          store,
          { machine: a, method: create, body: '{"id":"12","product_id":"5"}', createdAt: 70 },
          { machine: a, method: create, body: '{"id":"5","product_id":"12"}', createdAt: 70 },
          { machine: a, method: remove, body: '{"id":"12"}', createdAt: 70, sentAt: 71 },
          { machine: a, method: remove, body: '{"id":"12"}', createdAt: 71 },
          { machine: a, method: 'other', body: '{"id":"12"}', createdAt: 70 },
          { machine: b, method: remove, body: '{"id":"12"}', createdAt: 70 },
          { machine: a, method: remove, body: '{"id":"123"}', createdAt: 70 },
        );
        assert.deepEqual(await outbox.codePushesAt(store.db, a, 70, [create, remove], 12), [
          { id: ids[0], method: create, body: '{"id":"12","product_id":"5"}', created_at: 70, sent_at: null },
          { id: ids[2], method: remove, body: '{"id":"12"}', created_at: 70, sent_at: 71 },
        ]);
      }));

    it('firstPushFrom is the machine\'s earliest push of the method queued at or after the second, the lowest id within a second', () =>
      withFreshStore(kind, async (store) => {
        const [a, b] = (await machines(store, 2)) as [number, number];
        const ids = await push(
          store,
          { machine: a, method: 'sync', createdAt: 99 },
          { machine: b, method: 'sync', createdAt: 100 },
          { machine: a, method: 'sync', createdAt: 102 },
          { machine: a, method: 'other', createdAt: 100 },
          { machine: a, method: 'sync', createdAt: 100, sentAt: 101 },
          { machine: a, method: 'sync', createdAt: 100 },
        );
        assert.deepEqual(await outbox.firstPushFrom(store.db, a, 100, 'sync'), [{ id: ids[4], method: 'sync', created_at: 100, sent_at: 101 }]);
        assert.deepEqual(await outbox.firstPushFrom(store.db, a, 103, 'sync'), []);
      }));

    it('unsentBacklog counts the unsent rows (of one machine when given) and gives the oldest one\'s time; none: 0 and null', () =>
      withFreshStore(kind, async (store) => {
        const [a, b, c] = (await machines(store, 3)) as [number, number, number];
        await push(store, { machine: a, createdAt: 30 }, { machine: b, createdAt: 20 }, { machine: a, createdAt: 10, sentAt: 11 }, { machine: a, createdAt: 25 }, { machine: c, createdAt: 5, sentAt: 6 });
        assert.deepEqual(await outbox.unsentBacklog(store.db), { count: 3, oldestAt: 20 });
        assert.deepEqual(await outbox.unsentBacklog(store.db, a), { count: 2, oldestAt: 25 });
        assert.deepEqual(await outbox.unsentBacklog(store.db, c), { count: 0, oldestAt: null });
      }));
  });
}
