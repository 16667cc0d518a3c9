/**
 * `export` writes the import format (issue 20): a fleet exported from one store and imported
 * into a fresh one answers the Open API identically, with the same credentials; and a bad
 * file is refused with its problems listed by JSON path, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { IMPORT_PROBLEM_LIMIT, readImportFile } from '../../src/domain/import-file.js';
import { setMerchantWebhook } from '../../src/service/admin.js';
import { exportFile } from '../../src/service/export.js';
import { importFile } from '../../src/service/import.js';
import { asMerchant, startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { APP_SECRET, APPID, MERCHANT_ID, originalPlatformFile, PRODUCT_ID } from './fixture.js';

const credentials = { merchant_id: MERCHANT_ID, appid: APPID, app_secret: APP_SECRET };

/** What the merchant's reads answer on this server, each answer's data. */
async function answersOf(server: TestServer, machineNo: string): Promise<unknown[]> {
  const send = asMerchant(server.url, credentials);
  const reads = [
    await send('/rent/machines', undefined),
    await send(`/rent/machines/${machineNo}`, undefined),
    await send('/products', { machine_no: machineNo, select_all: '1' }),
    await send('/pickup_codes/query', { machine_no: machineNo, status: 'ALL', per_page: '100' }),
    await send('/pickup_codes/query', { machine_no: machineNo, status: 'UNUSED', per_page: '100' }),
  ];
  for (const answer of reads) assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
  return reads.map((answer) => answer.body.data);
}

for (const kind of storeKinds()) {
  describe(`export, then import into a fresh store [${kind.name}]`, { skip: kind.skip }, () => {
    let source: TestServer;
    let target: TestServer;
    const machineNo = '16327138';

    before(async () => {
      [source, target] = await Promise.all([startTestServer(kind), startTestServer(kind)]);
      await importFile(source.store, readImportFile(originalPlatformFile(machineNo)).file!);
      // Life after the move: new codes (one cancelled), made through the API.
      const send = asMerchant(source.url, credentials);
      const created = await send('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(PRODUCT_ID), count: '3', expired_at: '2031-01-01 12:00:00' });
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const cancelled = await send('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.delete.id', id: String(created.body.data.codes[0].id) }, 'PUT');
      assert.equal(cancelled.body.code, 0, JSON.stringify(cancelled.body));
    });
    after(async () => {
      await source?.close();
      await target?.close();
    });

    it('the exported file imported into a fresh store answers the Open API identically, signed with the same credentials', async () => {
      const exported = JSON.parse(JSON.stringify(await exportFile(source.store.db)));
      const reading = readImportFile(exported);
      assert.equal(reading.problems, undefined, JSON.stringify(reading.problems));
      await importFile(target.store, reading.file!);
      assert.deepEqual(await answersOf(target, machineNo), await answersOf(source, machineNo));
    });

    it('the export leaves the secrets out: digests only, and the webhook secret only when asked for, ready to import', async () => {
      const exported = await exportFile(source.store.db, { merchantId: MERCHANT_ID });
      const text = JSON.stringify(exported);
      assert.ok(!text.includes(APP_SECRET), 'no AppSecret in the clear');
      assert.equal(exported.merchants[0]!.webhook_secret, undefined);
      assert.match(String(exported.merchants[0]!.app_secret_hash), /^sha256:/);
      assert.match(String(exported.machines[0]!.mqtt_password_hash), /^sha256:/);

      const { webhook_secret } = await setMerchantWebhook(source.store, MERCHANT_ID, { url: 'https://merchant.example/events', rotateSecret: true });
      const withSecrets = await exportFile(source.store.db, { merchantId: MERCHANT_ID, withSecrets: true });
      assert.equal(withSecrets.merchants[0]!.webhook_secret, webhook_secret);
      const merchant = readImportFile(JSON.parse(JSON.stringify(withSecrets))).file!.merchants[0]!;
      assert.deepEqual([merchant.webhook_url, merchant.webhook_secret], ['https://merchant.example/events', webhook_secret]);
    });

    it('a file with more problems than the limit lists the first 50, each by its JSON path', () => {
      const file = originalPlatformFile('16320000');
      file.merchants[0]!.merchant_id = 50001;
      file.merchants[0]!.appid = 'ds50001';
      file.machines[0]!.merchant_id = 50001;
      file.machines[0]!.id = 50001;
      file.products = file.products.map((product, index) => ({ ...product, id: 50001 + index }));
      file.pickup_codes = Array.from({ length: 80 }, (_, index) => ({ id: 60001 + index, machine_no: '16320000', product_id: 50001, code: `12${index}`, created_at: '2026-11-01 10:00:00' }));
      file.machines[0]!.time_zone = 'Mars/Olympus';
      const reading = readImportFile(file);
      assert.equal(reading.file, undefined);
      assert.equal(reading.problems!.length, IMPORT_PROBLEM_LIMIT);
      assert.deepEqual(reading.problems![0], { path: '$.machines[0].time_zone', message: 'unknown time zone: Mars/Olympus' });
      assert.deepEqual(reading.problems![1], { path: '$.pickup_codes[0].code', message: 'must be 6 to 10 digits' });
      assert.equal(reading.problems![49]!.path, '$.pickup_codes[48].code');
    });

    it('each field is held to the API rule: machine_no, price, capacity and stock, code length, wall times in the zone', () => {
      const file = originalPlatformFile('1632');
      file.products[0]!.price = '3.505';
      file.products[1]!.current_inventory = 6;
      file.pickup_codes[0]!.code = '12345';
      file.pickup_codes[1]!.used_at = '2026-11-31 09:30:00';
      const paths = readImportFile(file).problems!.map((problem) => problem.path);
      assert.deepEqual(paths, [
        '$.machines[0].machine_no',
        '$.products[0].price',
        '$.products[1].current_inventory',
        '$.pickup_codes[0].code',
        '$.pickup_codes[1].used_at',
      ]);
    });
  });
}
