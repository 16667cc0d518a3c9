/** machines.repository.ts: which machines each read finds, and what each write changes (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as machines from '../../src/store/repositories/machines.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, withStore } from './fleet-fixtures.js';

/** Merchant `one` owns 10000002 and 10000004; `two` owns 10000001 and 10000003 (made first and in between). */
async function fleet(store: Store) {
  const one = await addMerchant(store, 'one');
  const two = await addMerchant(store, 'two');
  const before = await addMachine(store, two, '10000001', { name: 'before' });
  const first = await addMachine(store, one, '10000002', { name: 'first', time_zone: 'Europe/Paris', operating: 0, pickup_codes_enabled: 1 });
  const between = await addMachine(store, two, '10000003', { name: 'between', pickup_codes_enabled: 1 });
  const second = await addMachine(store, one, '10000004', { name: 'second', pickup_codes_enabled: 0 });
  return { one, two, before, first, between, second };
}

const row = (store: Store, id: number) => store.db.selectFrom('machines').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

for (const kind of storeKinds()) {
  describe(`machines repository: reads [${kind.name}]`, { skip: kind.skip }, () => {
    it("findOwned finds the merchant's machine by number with its ref fields, and not another merchant's", () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        assert.deepEqual(await machines.findOwned(store.db, f.one, '10000002'), {
          id: f.first,
          machine_no: '10000002',
          time_zone: 'Europe/Paris',
          merchant_id: f.one,
          pickup_codes_enabled: 1,
          operating: 0,
        });
        assert.equal(await machines.findOwned(store.db, f.one, '10000003'), undefined);
        assert.equal(await machines.findOwned(store.db, f.two, '10000002'), undefined);
      }));

    it("findOfMerchant answers the whole row of the merchant's machine, and nothing for another's", () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        const found = await machines.findOfMerchant(store.db, f.one, '10000004');
        assert.equal(found?.id, f.second);
        assert.equal(found?.name, 'second');
        assert.equal(found?.mqtt_password_hash, 'pw-of-10000004');
        assert.equal(await machines.findOfMerchant(store.db, f.two, '10000004'), undefined);
      }));

    it("listOfMerchant lists only the merchant's machines, ascending id", () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        const later = await addMachine(store, f.one, '10000000');
        assert.deepEqual((await machines.listOfMerchant(store.db, f.one)).map((m) => [m.id, m.machine_no]), [
          [f.first, '10000002'],
          [f.second, '10000004'],
          [later, '10000000'],
        ]);
      }));

    it('listForOperator lists every machine by id, or one merchant\'s, without the password hash', () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        const all = await machines.listForOperator(store.db);
        assert.deepEqual(all.map((m) => m.id), [f.before, f.first, f.between, f.second]);
        assert.deepEqual(all[1], {
          id: f.first,
          machine_no: '10000002',
          merchant_id: f.one,
          name: 'first',
          operating: 0,
          pickup_codes_enabled: 1,
          is_online: 0,
          last_seen_at: null,
          time_zone: 'Europe/Paris',
        });
        assert.deepEqual((await machines.listForOperator(store.db, f.two)).map((m) => m.machine_no), ['10000001', '10000003']);
      }));

    it('overviewOfMerchant lists the merchant\'s machines by id, or only the one numbered', () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        await store.write(BY_TEST, ({ trx }) => machines.markSeen(trx, f.second, 500, { network_type: '4G', network_rssi: '-70' }));
        const all = await machines.overviewOfMerchant(store.db, f.one);
        assert.deepEqual(all.map((m) => m.machine_no), ['10000002', '10000004']);
        assert.deepEqual(await machines.overviewOfMerchant(store.db, f.one, '10000004'), [
          {
            id: f.second,
            machine_no: '10000004',
            name: 'second',
            is_online: 1,
            operating: 1,
            pickup_codes_enabled: 0,
            last_seen_at: 500,
            network_type: '4G',
            network_rssi: '-70',
            link_mode: 'auto',
            link_extended: 0,
          },
        ]);
        assert.deepEqual(await machines.overviewOfMerchant(store.db, f.one, '10000003'), []);
      }));

    it('passwordHashOf answers the hash of a machine that may log in, and nothing for a disabled one', () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        await addMachine(store, f.one, '10000005', { disabled: 1 });
        assert.equal(await machines.passwordHashOf(store.db, '10000003'), 'pw-of-10000003');
        assert.equal(await machines.passwordHashOf(store.db, '10000005'), undefined);
        assert.equal(await machines.passwordHashOf(store.db, '19999999'), undefined);
      }));

    it('numbersChangedSince lists the machines whose credentials changed at or after the second given', () =>
      withStore(kind, async (store) => {
        await fleet(store);
        await store.write(BY_TEST, async ({ trx }) => {
          await machines.update(trx, '10000001', { credentials_changed_at: 99 }, 1);
          await machines.update(trx, '10000002', { credentials_changed_at: 100 }, 1);
          await machines.update(trx, '10000003', { credentials_changed_at: 101 }, 1);
        });
        assert.deepEqual((await machines.numbersChangedSince(store.db, 100)).sort(), ['10000002', '10000003']);
        assert.deepEqual(await machines.numbersChangedSince(store.db, 102), []);
      }));

    it("findLinked and findLinkedById answer the machine with its merchant's Appid", () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        await store.write(BY_TEST, ({ trx }) => machines.markSeen(trx, f.between, 70));
        assert.deepEqual(await machines.findLinked(store.db, '10000003'), {
          id: f.between,
          machine_no: '10000003',
          time_zone: 'Asia/Shanghai',
          merchant_id: f.two,
          pickup_codes_enabled: 1,
          operating: 1,
          link_mode: 'auto',
          link_extended: 0,
          is_online: 1,
          last_seen_at: 70,
          appid: 'dstwo0000000000000',
        });
        assert.deepEqual(await machines.findLinkedById(store.db, f.first), {
          id: f.first,
          machine_no: '10000002',
          time_zone: 'Europe/Paris',
          link_mode: 'auto',
          link_extended: 0,
          appid: 'dsone0000000000000',
        });
        assert.equal(await machines.findLinked(store.db, '19999999'), undefined);
        assert.equal(await machines.findLinkedById(store.db, f.second + 100), undefined);
      }));

    it('findByNumber answers the id and merchant of any merchant\'s machine; listNumbers every number in order', () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        await addMachine(store, f.two, '00000009');
        assert.deepEqual(await machines.findByNumber(store.db, '10000003'), { id: f.between, merchant_id: f.two });
        assert.equal(await machines.findByNumber(store.db, '19999999'), undefined);
        assert.deepEqual(await machines.listNumbers(store.db), ['00000009', '10000001', '10000002', '10000003', '10000004']);
      }));

    it('insert answers the new machine\'s id and stores the row as given', () =>
      withStore(kind, async (store) => {
        const f = await fleet(store);
        const id = await store.write(BY_TEST, ({ trx }) =>
          machines.insert(trx, { merchant_id: f.two, machine_no: '20000000', name: 'new', address: 'street 1', pickup_codes_enabled: 0, time_zone: 'UTC', mqtt_password_hash: 'h', created_at: 42 }),
        );
        assert.equal(id, f.second + 1);
        const stored = await row(store, id);
        assert.deepEqual([stored.merchant_id, stored.machine_no, stored.name, stored.address, stored.pickup_codes_enabled, stored.time_zone, stored.created_at], [f.two, '20000000', 'new', 'street 1', 0, 'UTC', 42]);
      }));
  });
}
