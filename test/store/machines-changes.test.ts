/** machines.repository.ts: presence and the operator's changes touch the machine named and no other (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as machines from '../../src/store/repositories/machines.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, withStore } from './fleet-fixtures.js';

/** Three machines of one merchant: the middle one is the one each test changes. */
async function three(store: Store) {
  const merchant = await addMerchant(store, 'one');
  const before = await addMachine(store, merchant, '10000001');
  const target = await addMachine(store, merchant, '10000002');
  const after = await addMachine(store, merchant, '10000003');
  return { merchant, before, target, after };
}

const presence = async (store: Store) =>
  (await store.db.selectFrom('machines').select(['machine_no', 'is_online', 'last_seen_at', 'network_type', 'network_rssi', 'link_extended', 'changed_at']).orderBy('id').execute()).map((m) =>
    Object.values(m).join('|'),
  );

for (const kind of storeKinds()) {
  describe(`machines repository: changes [${kind.name}]`, { skip: kind.skip }, () => {
    it('markSeen marks only that machine online at the time given, with its network when told', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, ({ trx }) => machines.markSeen(trx, m.target, 300, { network_type: 'WIFI', network_rssi: '-40' }));
        assert.deepEqual(await presence(store), ['10000001|0||||0|', '10000002|1|300|WIFI|-40|0|', '10000003|0||||0|']);
        await store.write(BY_TEST, ({ trx }) => machines.markSeen(trx, m.target, 310));
        assert.deepEqual((await presence(store))[1], '10000002|1|310|WIFI|-40|0|');
      }));

    it('isOnline is true only for a machine marked online', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, ({ trx }) => machines.markSeen(trx, m.target, 300));
        assert.equal(await machines.isOnline(store.db, m.target), true);
        assert.equal(await machines.isOnline(store.db, m.before), false);
        assert.equal(await machines.isOnline(store.db, m.after + 1), false);
      }));

    it('switchOnline is true when the state changed, false when it was already so, and touches no other machine', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        const switched = (online: 0 | 1) => store.write(BY_TEST, ({ trx }) => machines.switchOnline(trx, m.target, online));
        assert.equal(await switched(1), true);
        assert.deepEqual(await presence(store), ['10000001|0||||0|', '10000002|1||||0|', '10000003|0||||0|']);
        assert.equal(await switched(1), false);
        assert.equal(await switched(0), true);
        assert.equal(await switched(0), false);
        assert.deepEqual(await presence(store), ['10000001|0||||0|', '10000002|0||||0|', '10000003|0||||0|']);
      }));

    it('markSilentOffline takes offline the online machines last seen before the second given or never, and answers them', () =>
      withStore(kind, async (store) => {
        const merchant = await addMerchant(store, 'one');
        const at99 = await addMachine(store, merchant, '10000001', { is_online: 1, last_seen_at: 99 });
        await addMachine(store, merchant, '10000002', { is_online: 1, last_seen_at: 100 });
        const never = await addMachine(store, merchant, '10000003', { is_online: 1, last_seen_at: null });
        await addMachine(store, merchant, '10000004', { is_online: 0, last_seen_at: 5 });
        await addMachine(store, merchant, '10000005', { is_online: 1, last_seen_at: 101 });
        const silent = await store.write(BY_TEST, ({ trx }) => machines.markSilentOffline(trx, 100));
        assert.deepEqual(
          silent.sort((a, b) => a.id - b.id),
          [
            { id: at99, merchant_id: merchant, machine_no: '10000001' },
            { id: never, merchant_id: merchant, machine_no: '10000003' },
          ],
        );
        assert.deepEqual((await presence(store)).map((line) => line.split('|').slice(0, 3).join('|')), ['10000001|0|99', '10000002|1|100', '10000003|0|', '10000004|0|5', '10000005|1|101']);
        assert.deepEqual(await store.write(BY_TEST, ({ trx }) => machines.markSilentOffline(trx, 100)), []);
      }));

    it('countOnline counts the machines online', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        assert.equal(await machines.countOnline(store.db), 0);
        await store.write(BY_TEST, async ({ trx }) => {
          await machines.switchOnline(trx, m.before, 1);
          await machines.switchOnline(trx, m.after, 1);
        });
        assert.equal(await machines.countOnline(store.db), 2);
      }));

    it('markExtended sets only that machine extended, and it stays so', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, ({ trx }) => machines.markExtended(trx, m.target));
        await store.write(BY_TEST, ({ trx }) => machines.markExtended(trx, m.target));
        assert.deepEqual(await presence(store), ['10000001|0||||0|', '10000002|0||||1|', '10000003|0||||0|']);
      }));

    it("update changes the named machine's settings and stamps changed_at; false for no such machine", () =>
      withStore(kind, async (store) => {
        await three(store);
        const changed = await store.write(BY_TEST, ({ trx }) => machines.update(trx, '10000002', { operating: 0, link_mode: 'original' }, 700));
        assert.equal(changed, true);
        const rows = await store.db.selectFrom('machines').select(['machine_no', 'operating', 'link_mode', 'changed_at']).orderBy('id').execute();
        assert.deepEqual(rows, [
          { machine_no: '10000001', operating: 1, link_mode: 'auto', changed_at: null },
          { machine_no: '10000002', operating: 0, link_mode: 'original', changed_at: 700 },
          { machine_no: '10000003', operating: 1, link_mode: 'auto', changed_at: null },
        ]);
        assert.equal(await store.write(BY_TEST, ({ trx }) => machines.update(trx, '19999999', { operating: 0 }, 701)), false);
      }));

    it('update stamps changed_at even when it changes nothing else; presence does not stamp', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, async ({ trx }) => {
          await machines.markSeen(trx, m.before, 5);
          await machines.update(trx, '10000003', {}, 800);
        });
        const stamps = await store.db.selectFrom('machines').select('changed_at').orderBy('id').execute();
        assert.deepEqual(stamps.map((s) => s.changed_at), [null, null, 800]);
      }));

    it('changedSince lists the machines changed at or after the second given, with their merchant', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, async ({ trx }) => {
          await machines.update(trx, '10000001', {}, 199);
          await machines.update(trx, '10000002', {}, 200);
          await machines.update(trx, '10000003', {}, 201);
        });
        const found = await machines.changedSince(store.db, 200);
        assert.deepEqual(
          found.sort((a, b) => a.machine_no.localeCompare(b.machine_no)),
          [
            { merchant_id: m.merchant, machine_no: '10000002' },
            { merchant_id: m.merchant, machine_no: '10000003' },
          ],
        );
        assert.deepEqual(await machines.changedSince(store.db, 202), []);
      }));
  });
}
