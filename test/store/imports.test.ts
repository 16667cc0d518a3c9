/** imports.repository.ts: the lookups by an import file's ids and names, the kept-id inserts, and the export reads (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as imports from '../../src/store/repositories/imports.repository.js';
import type { KeptIdRow } from '../../src/store/repositories/imports.repository.js';
import type { PickupCodeTable } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, addProduct, withStore } from './fleet-fixtures.js';

/** Ids 1..n that no row has (above `from`), to pad a lookup past one chunk of 10,000. */
const unknownIds = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + 1 + i);

const code = (id: number, machineId: number, productId: number, status: 'UNUSED' | 'USED' | 'CANCELLED' = 'UNUSED'): KeptIdRow<PickupCodeTable> => ({
  id,
  machine_id: machineId,
  product_id: productId,
  code: String(100000 + id),
  status,
  expired_at: null,
  created_at: 1,
  used_at: null,
  order_id: null,
  cancelled_at: null,
  cancelled_by: null,
  cancel_request_id: null,
});

/** Merchants one (ids 1) and two (2), a machine of each (1: one's, 2: two's), two products on machine 1 and one on 2. */
async function stored(store: Store) {
  const one = await addMerchant(store, 'one');
  const two = await addMerchant(store, 'two');
  const m1 = await addMachine(store, one, '10000001');
  const m2 = await addMachine(store, two, '10000002');
  const category = await store.write(BY_TEST, async ({ trx }) => (await trx.insertInto('categories').values({ merchant_id: one, title: 'drinks' }).returning('id').executeTakeFirstOrThrow()).id);
  const p1 = await addProduct(store, m1, 'p1', { category_id: category });
  const p2 = await addProduct(store, m2, 'p2');
  const p3 = await addProduct(store, m1, 'p3');
  return { one, two, m1, m2, p1, p2, p3 };
}

for (const kind of storeKinds()) {
  describe(`imports repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('merchantsNamed and machinesNamed find the stored rows by id and by Appid or number, past one chunk of ids', () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        const merchants = await imports.merchantsNamed(store.db, [...unknownIds(10, 10_000), s.one], ['dstwo0000000000000', 'dsnobody0000000000']);
        assert.deepEqual(merchants, [
          { id: s.one, appid: 'dsone0000000000000', app_secret_hash: 'hash-of-one' },
          { id: s.two, appid: 'dstwo0000000000000', app_secret_hash: 'hash-of-two' },
        ]);
        const machines = await imports.machinesNamed(store.db, [s.m2, ...unknownIds(10, 10_000)], ['10000001', '19999999']);
        assert.deepEqual(machines, [
          { id: s.m2, machine_no: '10000002', merchant_id: s.two, mqtt_password_hash: 'pw-of-10000002' },
          { id: s.m1, machine_no: '10000001', merchant_id: s.one, mqtt_password_hash: 'pw-of-10000001' },
        ]);
        assert.deepEqual(await imports.merchantsNamed(store.db, [], []), []);
      }));

    it('productsWithIds and codesWithIds answer the stored rows with those ids, past one chunk', () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        await store.write(BY_TEST, ({ trx }) => imports.insertCodes(trx, [code(5, s.m1, s.p1, 'USED'), code(6, s.m2, s.p2)]));
        const products = await imports.productsWithIds(store.db, [...unknownIds(10, 10_000), s.p3, s.p1]);
        assert.deepEqual(
          products.sort((a, b) => a.id - b.id),
          [
            { id: s.p1, machine_id: s.m1 },
            { id: s.p3, machine_id: s.m1 },
          ],
        );
        const codes = await imports.codesWithIds(store.db, [5, ...unknownIds(10, 10_000), 6]);
        assert.deepEqual(
          codes.sort((a, b) => a.id - b.id),
          [
            { id: 5, machine_id: s.m1, product_id: s.p1, code: '100005', status: 'USED' },
            { id: 6, machine_id: s.m2, product_id: s.p2, code: '100006', status: 'UNUSED' },
          ],
        );
      }));

    it('unusedCodesOn answers only the UNUSED codes stored on those machines', () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        const m3 = await addMachine(store, s.one, '10000003');
        const p4 = await addProduct(store, m3, 'p4');
        await store.write(BY_TEST, ({ trx }) =>
          imports.insertCodes(trx, [code(1, s.m1, s.p1), code(2, s.m1, s.p1, 'USED'), code(3, s.m2, s.p2), code(4, m3, p4), code(5, s.m1, s.p3, 'CANCELLED')]),
        );
        const unused = await imports.unusedCodesOn(store.db, [m3, s.m1]);
        assert.deepEqual(
          unused.sort((a, b) => a.id - b.id),
          [
            { id: 1, machine_id: s.m1, code: '100001' },
            { id: 4, machine_id: m3, code: '100004' },
          ],
        );
      }));

    it('insertCodes keeps the ids given, in chunks of 2,000, telling how many are in after each', () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        const rows = Array.from({ length: 4_001 }, (_, i) => code(1_000 + i, s.m1, s.p1, 'USED'));
        const progress: number[] = [];
        await store.write(BY_TEST, ({ trx }) => imports.insertCodes(trx, rows, (inserted) => progress.push(inserted)));
        assert.deepEqual(progress, [2_000, 4_000, 4_001]);
        const counted = await store.db.selectFrom('pickup_codes').select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high'), eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
        assert.deepEqual([Number(counted.low), Number(counted.high), Number(counted.n)], [1_000, 5_000, 4_001]);
      }));

    it('insertMerchants, insertMachines and insertProducts keep the ids given, past one chunk of 2,000; later rows continue above them', () =>
      withStore(kind, async (store) => {
        const merchants = Array.from({ length: 2_001 }, (_, i) => ({ id: 500 + i, name: `m${i}`, appid: `dsimp${String(i).padStart(13, '0')}`, app_secret_hash: 'h', created_at: 1 }));
        // Machines 70…2070, the last of another merchant; products 90…2090 on machine 2070.
        const machines = Array.from({ length: 2_001 }, (_, i) => ({ id: 70 + i, merchant_id: i === 2_000 ? 2_500 : 500, machine_no: String(10_000_070 + i), time_zone: 'UTC', mqtt_password_hash: 'h', created_at: 1 }));
        const products = Array.from({ length: 2_001 }, (_, i) => ({ id: 90 + i, machine_id: 2_070, category_id: null, name: `p${i}`, price_cents: 1, original_price_cents: 1, channel_name: '1', capacity: 1, inventory: 1, created_at: 1 }));
        await store.write(BY_TEST, async ({ trx }) => {
          await imports.insertMerchants(trx, merchants);
          await imports.insertMachines(trx, machines);
          await imports.insertProducts(trx, products);
          await imports.moveIdSequencesAboveKeptIds(trx, store.dialect);
        });
        const span = async (table: 'merchants' | 'machines' | 'products') => {
          const row = await store.db.selectFrom(table).select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high'), eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
          return [Number(row.low), Number(row.high), Number(row.n)];
        };
        assert.deepEqual(await span('merchants'), [500, 2_500, 2_001]);
        assert.deepEqual(await span('machines'), [70, 2_070, 2_001]);
        assert.deepEqual(await span('products'), [90, 2_090, 2_001]);
        assert.deepEqual(await store.db.selectFrom('machines').select(['id', 'merchant_id']).where('id', '>=', 2_069).orderBy('id').execute(), [
          { id: 2_069, merchant_id: 500 },
          { id: 2_070, merchant_id: 2_500 },
        ]);
        assert.equal(await addMerchant(store, 'later'), 2_501);
        assert.equal(await addMachine(store, 500, '10000000'), 2_071);
        assert.equal(await addProduct(store, 70, 'later'), 2_091);
      }));

    it('an import with no rows of a kind inserts none of it, and does not fail', () =>
      withStore(kind, async (store) => {
        const progress: number[] = [];
        await store.write(BY_TEST, async ({ trx }) => {
          await imports.insertMerchants(trx, []);
          await imports.insertMachines(trx, []);
          await imports.insertProducts(trx, []);
          await imports.insertCodes(trx, [], (inserted) => progress.push(inserted));
        });
        assert.deepEqual(progress, []);
        for (const table of ['merchants', 'machines', 'products', 'pickup_codes'] as const) assert.deepEqual(await store.db.selectFrom(table).select('id').execute(), [], table);
      }));

    it('merchantsToExport answers every merchant by id, or the one named', () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        assert.deepEqual((await imports.merchantsToExport(store.db)).map((row) => [row.id, row.appid]), [
          [s.one, 'dsone0000000000000'],
          [s.two, 'dstwo0000000000000'],
        ]);
        assert.deepEqual((await imports.merchantsToExport(store.db, s.two)).map((row) => [row.id, row.name]), [[s.two, 'two']]);
      }));

    it("machinesToExport, productsToExport and codesToExport answer the rows of those merchants' or machines' only, by id", () =>
      withStore(kind, async (store) => {
        const s = await stored(store);
        await store.write(BY_TEST, ({ trx }) => imports.insertCodes(trx, [code(3, s.m2, s.p2), code(4, s.m1, s.p3), code(5, s.m1, s.p1, 'USED')]));
        assert.deepEqual((await imports.machinesToExport(store.db, [s.two])).map((row) => [row.id, row.machine_no]), [[s.m2, '10000002']]);
        assert.deepEqual((await imports.machinesToExport(store.db, [s.two, s.one])).map((row) => row.id), [s.m1, s.m2]);
        const products = await imports.productsToExport(store.db, [s.m1]);
        assert.deepEqual(products.map((row) => [row.id, row.name, row.category_title, row.machine_id]), [
          [s.p1, 'p1', 'drinks', s.m1],
          [s.p3, 'p3', null, s.m1],
        ]);
        assert.deepEqual((await imports.codesToExport(store.db, [s.m1])).map((row) => [row.id, row.status, row.code]), [
          [4, 'UNUSED', '100004'],
          [5, 'USED', '100005'],
        ]);
        assert.deepEqual(await imports.codesToExport(store.db, []), []);
      }));
  });
}
