/**
 * Moving in from the original platform (issue 20, docs/import.md): ids kept, the whole file
 * or nothing, the merchant's own client (kit.js) working unchanged afterwards, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { Signatory } from '@cakioe/kit.js';
import { readImportFile, type ImportFile } from '../../src/domain/import-file.js';
import { createMachine, createMerchant, createProduct } from '../../src/service/admin.js';
import { importFile, ImportRefused } from '../../src/service/import.js';
import { call, startTestServer, type ApiAnswer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { APP_SECRET, APPID, CODE, CODE_ID, MACHINE_ID, MERCHANT_ID, originalPlatformFile, PRODUCT_ID, storedRows } from './fixture.js';

function checked(document: unknown): ImportFile {
  const reading = readImportFile(document);
  assert.equal(reading.problems, undefined, JSON.stringify(reading.problems));
  return reading.file!;
}

async function refusal(work: Promise<unknown>): Promise<ImportRefused> {
  const error = await work.then(
    () => assert.fail('the import was not refused'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ImportRefused, String(error));
  return error;
}

for (const kind of storeKinds()) {
  describe(`import from the original platform [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    const machineNo = '16327138';
    let serial = 0;
    /** A request as the merchant's kit.js sends it, signed with the imported merchant_id. */
    const kit = (path: string, fields: Record<string, string>): Promise<ApiAnswer> =>
      call(server.url, path, { appid: APPID, secret: APP_SECRET, rawBody: JSON.stringify({ payload: new Signatory(String(MERCHANT_ID)).toBase64String(fields) }) });

    before(async () => {
      server = await startTestServer(kind);
      const outcome = await importFile(server.store, checked(originalPlatformFile(machineNo)));
      assert.deepEqual(outcome.created, { merchants: 1, machines: 1, products: 2, pickup_codes: 3 });
    });
    after(() => server.close());

    it("kit.js signed with the imported merchant_id, Appid and AppSecret lists the machine's imported codes with their ids", async () => {
      const answer = await kit('/pickup_codes/query', { machine_no: machineNo, status: 'ALL' });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      const codes = answer.body.data.data as Array<{ id: number; code: string; status: string; product_id: number }>;
      assert.deepEqual(
        codes.map((code) => [code.id, code.code, code.status]).sort(),
        [
          [555, '87654321', 'UNUSED'],
          [556, '11223344', 'USED'],
          [557, '55667788', 'CANCELLED'],
        ],
      );
    });

    it("a customer's imported code is consumed through kit.js, once", async () => {
      const consume = { machine_no: machineNo, method: 'event.consume.pickup_code', code: CODE, product_id: String(PRODUCT_ID), trade_id: `IMPORT-${process.pid}`.padEnd(24, '0'), notify_url: 'https://merchant.example/notify' };
      const consumed = await kit('/consumes', consume);
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
      assert.equal(consumed.body.data.pickup_code_id, CODE_ID);
      const again = await kit('/consumes', { ...consume, trade_id: `IMPORT-${process.pid}`.padEnd(24, '1') });
      assert.notEqual(again.body.code, 0, 'a used code is not consumed twice');
    });

    it('ids made after the import continue above the imported ones: codes, products, machines, merchants', async () => {
      const created = await kit('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(PRODUCT_ID + 1), count: '2' });
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      for (const code of created.body.data.codes as Array<{ id: number }>) assert.ok(code.id > CODE_ID + 2, `code id ${code.id}`);
      const product = await createProduct(server.store, { machineNo, name: 'Juice', price: '5.00', capacity: 3, inventory: 3 });
      assert.ok(product.id > PRODUCT_ID + 1, `product id ${product.id}`);
      const merchant = await createMerchant(server.store, { name: 'After the move' });
      assert.ok(merchant.merchant_id > MERCHANT_ID, `merchant id ${merchant.merchant_id}`);
      const machine = await createMachine(server.store, { merchantId: merchant.merchant_id, machineNo: '16327999' });
      assert.ok(machine.machine_id > MACHINE_ID, `machine id ${machine.machine_id}`);
    });

    it('the AppSecret and the MQTT password are stored as digests, never as given', async () => {
      const merchant = await server.store.db.selectFrom('merchants').selectAll().where('id', '=', MERCHANT_ID).executeTakeFirstOrThrow();
      const machine = await server.store.db.selectFrom('machines').selectAll().where('id', '=', MACHINE_ID).executeTakeFirstOrThrow();
      assert.match(merchant.app_secret_hash, /^sha256:[0-9a-f]{64}$/);
      assert.match(machine.mqtt_password_hash, /^sha256:[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify([merchant, machine]).includes(APP_SECRET));
    });

    it('the same file again changes nothing and says so: every record kept, none created', async () => {
      const before = await storedRows(server.store);
      const outcome = await importFile(server.store, checked(originalPlatformFile(machineNo)));
      assert.deepEqual(outcome.created, { merchants: 0, machines: 0, products: 0, pickup_codes: 0 });
      assert.deepEqual(outcome.kept, { merchants: 1, machines: 1, products: 2, pickup_codes: 3 });
      assert.deepEqual(await storedRows(server.store), before);
    });

    it('a file contradicting the store is refused, naming each record by its JSON path, and nothing of it is written', async () => {
      const file = originalPlatformFile(machineNo);
      file.merchants[0]!.appid = 'ds00000000000000ff';
      file.pickup_codes[2]!.code = '99999999';
      // A record the store does not hold yet, which must not be written either.
      file.products.push({ id: 30001, machine_no: machineNo, name: 'New', price: '1.00', capacity: 1, current_inventory: 1, cabinet_name: 'A', channel_code: '14' });
      const before = await storedRows(server.store);
      const refused = await refusal(importFile(server.store, checked(file)));
      assert.deepEqual(
        refused.problems.map((problem) => problem.path),
        ['$.merchants[0].appid', '$.pickup_codes[2].code'],
      );
      assert.match(refused.problems[0]!.message, /merchant 10086 is stored with another Appid/);
      assert.deepEqual(await storedRows(server.store), before);
    });

    it("a machine_no another merchant owns is refused at the machine's path", async () => {
      const other = await createMerchant(server.store, { name: 'Owner of the number' });
      await createMachine(server.store, { merchantId: other.merchant_id, machineNo: '77777777' });
      const file = originalPlatformFile('77777777');
      file.merchants[0]!.merchant_id = 40001;
      file.merchants[0]!.appid = 'ds40001';
      file.machines[0]!.merchant_id = 40001;
      file.machines[0]!.id = 40001;
      file.products = [];
      file.pickup_codes = [];
      const before = await storedRows(server.store);
      const refused = await refusal(importFile(server.store, checked(file)));
      assert.equal(refused.problems.length, 1);
      assert.equal(refused.problems[0]!.path, '$.machines[0].machine_no');
      assert.match(refused.problems[0]!.message, new RegExp(`of merchant ${other.merchant_id}`));
      assert.deepEqual(await storedRows(server.store), before);
    });

    it('a new UNUSED code with the digits of a live code of the machine is refused: the keypad must name one code', async () => {
      const created = await kit('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(PRODUCT_ID + 1), count: '1' });
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const live = created.body.data.codes[0] as { id: number; code: string };
      const file = originalPlatformFile(machineNo);
      file.pickup_codes.push({ id: 9100, machine_no: machineNo, product_id: PRODUCT_ID + 1, code: live.code, status: 'UNUSED', created_at: '2026-11-05 10:00:00' });
      const before = await storedRows(server.store);
      const refused = await refusal(importFile(server.store, checked(file)));
      assert.deepEqual(refused.problems, [{ path: '$.pickup_codes[3].code', message: `the machine holds this code already, UNUSED, as pickup code ${live.id}` }]);
      assert.deepEqual(await storedRows(server.store), before);
    });

    it('a dry run says what it would create and keep, and writes nothing', async () => {
      const file = originalPlatformFile(machineNo);
      file.pickup_codes.push({ id: 9001, machine_no: machineNo, product_id: PRODUCT_ID, code: '24682468', status: 'UNUSED', expired_at: null, created_at: '2026-11-05 10:00:00' });
      const before = await storedRows(server.store);
      const outcome = await importFile(server.store, checked(file), { dryRun: true });
      assert.equal(outcome.dry_run, true);
      assert.deepEqual(outcome.created, { merchants: 0, machines: 0, products: 0, pickup_codes: 1 });
      assert.equal(outcome.kept.pickup_codes, 3);
      assert.deepEqual(await storedRows(server.store), before);
    });
  });
}
