/**
 * Cancelling by ids and by product, through the services in a real transaction: what they
 * change, the history rows and the pushes they write, and that a refusal changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { createMachine, createMerchant, createProduct } from '../../src/service/admin.js';
import { cancelPickupCodesByIds, cancelProductPickupCodes, createPickupCodes } from '../../src/service/pickup-codes.js';
import { Refused } from '../../src/service/refused.js';
import { MACHINE_METHOD } from '../../src/protocol/machine-messages.js';
import type { MachineRef } from '../../src/store/repositories/machines.repository.js';
import type { Author, Store } from '../../src/store/store.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

const NOW = 1_900_000_000;

async function fleet(store: Store) {
  const merchant = await createMerchant(store, { name: 'Acme' });
  const made = await createMachine(store, { merchantId: merchant.merchant_id, machineNo: '12345678', pickupCodes: true });
  const other = await createMachine(store, { merchantId: merchant.merchant_id, machineNo: '87654321', pickupCodes: true });
  const water = await createProduct(store, { machineNo: '12345678', name: 'Water', price: '2.00', capacity: 50, inventory: 50 });
  const juice = await createProduct(store, { machineNo: '12345678', name: 'Juice', price: '4.00', capacity: 50, inventory: 50 });
  const elsewhere = await createProduct(store, { machineNo: '87654321', name: 'Tea', price: '3.00', capacity: 50, inventory: 50 });
  const machine = (id: number, machineNo: string): MachineRef => ({ id, machine_no: machineNo, time_zone: 'Asia/Shanghai', merchant_id: merchant.merchant_id, pickup_codes_enabled: 1, operating: 1 });
  const author = (requestId: string): Author => ({ actor: `merchant:${merchant.merchant_id}`, requestId, at: NOW });
  const create = async (on: MachineRef, productId: number, count: number) =>
    (await store.write(author('create'), (work) => createPickupCodes(work, on, productId, count, { codeLength: 8, expiredAt: null }))).map((code) => code.id);
  return { machine: machine(made.machine_id, '12345678'), other: machine(other.machine_id, '87654321'), water: water.id, juice: juice.id, elsewhere: elsewhere.id, author, create };
}

async function statuses(store: Store, ids: number[]) {
  const rows = await store.db.selectFrom('pickup_codes').select(['id', 'status', 'cancelled_by']).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((row) => row.status);
}

async function cancelHistory(store: Store, requestId: string) {
  return store.db.selectFrom('code_history').select(['pickup_code_id', 'from_status', 'to_status', 'actor']).where('request_id', '=', requestId).orderBy('pickup_code_id').execute();
}

async function pushesAfter(store: Store, machineId: number, afterId: number) {
  return store.db.selectFrom('outbox').select(['method', 'body']).where('machine_id', '=', machineId).where('id', '>', afterId).orderBy('id').execute();
}

async function newestPush(store: Store) {
  return Number((await store.db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
}

async function refusalOf(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
  assert.fail('expected a refusal');
}

for (const kind of storeKinds()) {
  describe(`cancelling pickup codes by ids [${kind.name}]`, { skip: kind.skip }, () => {
    it('cancels every listed code, writes one history row each and pushes one deletion each; returns the count', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const ids = await f.create(f.machine, f.water, 4);
        const before = await newestPush(store);
        const count = await store.write(f.author('by-ids'), (work) => cancelPickupCodesByIds(work, f.machine, [ids[2]!, ids[0]!]));
        assert.equal(count, 2);
        assert.deepEqual(await statuses(store, ids), ['CANCELLED', 'UNUSED', 'CANCELLED', 'UNUSED']);
        const history = await cancelHistory(store, 'by-ids');
        assert.deepEqual(history.map((row) => [row.pickup_code_id, row.from_status, row.to_status]), [[ids[0], 'UNUSED', 'CANCELLED'], [ids[2], 'UNUSED', 'CANCELLED']]);
        const pushes = await pushesAfter(store, f.machine.id, before);
        assert.deepEqual(pushes.map((p) => [p.method, JSON.parse(p.body).id]), [[MACHINE_METHOD.CODE_DELETED, String(ids[0])], [MACHINE_METHOD.CODE_DELETED, String(ids[2])]]);
      }));

    it('is all or nothing: one id of another machine cancels nothing and the refusal names it', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const ids = await f.create(f.machine, f.water, 2);
        const [foreign] = await f.create(f.other, f.elsewhere, 1);
        const before = await newestPush(store);
        const refusal = await refusalOf(store.write(f.author('mixed'), (work) => cancelPickupCodesByIds(work, f.machine, [ids[0]!, foreign!, ids[1]!])));
        assert.deepEqual(refusal, { refused: 'not-found', codeId: foreign });
        assert.deepEqual(await statuses(store, ids), ['UNUSED', 'UNUSED']);
        assert.deepEqual(await cancelHistory(store, 'mixed'), []);
        assert.deepEqual(await pushesAfter(store, f.machine.id, before), []);
      }));

    it('refuses a cancelled code as not found, naming it, and cancels nothing', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const ids = await f.create(f.machine, f.water, 2);
        await store.write(f.author('first'), (work) => cancelPickupCodesByIds(work, f.machine, [ids[1]!]));
        const refusal = await refusalOf(store.write(f.author('second'), (work) => cancelPickupCodesByIds(work, f.machine, [ids[0]!, ids[1]!])));
        assert.deepEqual(refusal, { refused: 'not-found', codeId: ids[1] });
        assert.deepEqual(await statuses(store, ids), ['UNUSED', 'CANCELLED']);
      }));

    it('queues a deletion per code however many (a sync is the dispatcher\'s choice)', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const ids = await f.create(f.machine, f.water, 21);
        const before = await newestPush(store);
        assert.equal(await store.write(f.author('many'), (work) => cancelPickupCodesByIds(work, f.machine, ids)), ids.length);
        assert.deepEqual((await pushesAfter(store, f.machine.id, before)).map((p) => p.method), ids.map(() => MACHINE_METHOD.CODE_DELETED));
        assert.equal((await cancelHistory(store, 'many')).length, ids.length);
      }));
  });

  describe(`cancelling a product's pickup codes [${kind.name}]`, { skip: kind.skip }, () => {
    it('cancels every UNUSED code of the product and no other, with history and one deletion each; returns the count', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        // The other product's codes are made before and after the targeted ones.
        const juiceBefore = await f.create(f.machine, f.juice, 2);
        const water = await f.create(f.machine, f.water, 3);
        const juiceAfter = await f.create(f.machine, f.juice, 2);
        const before = await newestPush(store);
        assert.equal(await store.write(f.author('by-product'), (work) => cancelProductPickupCodes(work, f.machine, f.water)), 3);
        assert.deepEqual(await statuses(store, water), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
        assert.deepEqual(await statuses(store, [...juiceBefore, ...juiceAfter]), ['UNUSED', 'UNUSED', 'UNUSED', 'UNUSED']);
        const history = await cancelHistory(store, 'by-product');
        assert.deepEqual(history.map((row) => row.pickup_code_id), water);
        assert.ok(history.every((row) => row.from_status === 'UNUSED' && row.to_status === 'CANCELLED' && row.actor.startsWith('merchant:')));
        const pushes = await pushesAfter(store, f.machine.id, before);
        assert.deepEqual(pushes.map((p) => [p.method, JSON.parse(p.body).id]), water.map((id) => [MACHINE_METHOD.CODE_DELETED, String(id)]));
      }));

    it('answers 0 and writes nothing for a product without UNUSED codes', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const before = await newestPush(store);
        assert.equal(await store.write(f.author('none'), (work) => cancelProductPickupCodes(work, f.machine, f.juice)), 0);
        assert.deepEqual(await pushesAfter(store, f.machine.id, before), []);
      }));

    it('refuses a product of another machine as not found and cancels nothing', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const tea = await f.create(f.other, f.elsewhere, 2);
        const refusal = await refusalOf(store.write(f.author('foreign'), (work) => cancelProductPickupCodes(work, f.machine, f.elsewhere)));
        assert.deepEqual(refusal, { refused: 'product-not-found' });
        assert.deepEqual(await statuses(store, tea), ['UNUSED', 'UNUSED']);
      }));

    it('queues a deletion per code however many, in id order', () =>
      withFreshStore(kind, async (store) => {
        const f = await fleet(store);
        const ids = await f.create(f.machine, f.water, 21);
        const before = await newestPush(store);
        assert.equal(await store.write(f.author('many'), (work) => cancelProductPickupCodes(work, f.machine, f.water)), 21);
        const pushes = await pushesAfter(store, f.machine.id, before);
        assert.deepEqual(pushes.map((p) => p.method), ids.map(() => MACHINE_METHOD.CODE_DELETED));
        assert.deepEqual(pushes.map((p) => Number((JSON.parse(p.body) as { id: string }).id)), [...ids].sort((a, b) => a - b));
      }));
  });
}
