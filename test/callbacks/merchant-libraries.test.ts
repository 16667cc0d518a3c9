/**
 * Callbacks each merchant's own library can check (issue 26): a delivery callback's MD5
 * `sign` is made in the form of the merchant's latest signed request, so the library that
 * signed that request accepts it with its CheckSignature: success and failure, spaces,
 * non-ASCII and `%`/`&` in `error_msg`, ids of a million and more, a debug vend; and
 * rejects it once tampered. The libraries run for real: kit.js always; go-pansy/pansy and
 * PHP dsjsdz/signatory from checkouts named by VENDCLOUD_PANSY_DIR and
 * VENDCLOUD_SIGNATORY_PHP_DIR (docs/testing.md), skipped when those are unset. Every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { queueDeliveryResult, type DeliveryResultNotice } from '../../src/service/delivery-notices.js';
import { vendcloud } from '../helpers/cli.js';
import { eventually } from '../helpers/link.js';
import { goPansy, kitJs, phpSignatory, type AbsentLibrary, type MerchantLibrary } from '../helpers/merchant-libraries.js';
import { Receiver } from '../helpers/receiver.js';
import { asMerchant, call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { bodyWith, pansyStyleSign, phpArraySign } from '../helpers/signing.js';
import { storeKinds } from '../helpers/stores.js';

/** Each library with the form vendcloud recognises its requests in (docs/compatibility.md, "Signing forms"). */
const LIBRARIES: Array<{ library: MerchantLibrary | AbsentLibrary; form: string }> = [
  { library: kitJs, form: 'uri-encoded-twice' },
  { library: await goPansy(), form: 'query-escaped' },
  { library: phpSignatory(), form: 'raw' },
];

type Result = Pick<DeliveryResultNotice, 'orderId' | 'recordId' | 'deliverStatus' | 'floorStatus' | 'errorMsg'>;

/** The callbacks a merchant must be able to check. */
const RESULTS: Record<string, Result> = {
  success: { orderId: 60, recordId: 78, deliverStatus: 1, floorStatus: 1, errorMsg: '' },
  'failure, spaced error_msg': { orderId: 61, recordId: 79, deliverStatus: 0, floorStatus: 2, errorMsg: 'Goods are Stuck' },
  'failure, Chinese error_msg': { orderId: 62, recordId: 80, deliverStatus: 0, floorStatus: 3, errorMsg: '货道卡住，请联系客服 (A1)' },
  'failure, % & + in error_msg': { orderId: 63, recordId: 81, deliverStatus: 0, floorStatus: 2, errorMsg: 'motor 50% & más+1 = stuck?' },
  'success, ids of a million': { orderId: 1000000, recordId: 1000001, deliverStatus: 1, floorStatus: 1, errorMsg: '' },
  'success, ids past a million': { orderId: 1234567, recordId: 98765432101, deliverStatus: 1, floorStatus: 1, errorMsg: '' },
  'failure, error_msg reading NULL': { orderId: 64, recordId: 82, deliverStatus: 0, floorStatus: 2, errorMsg: 'NULL' },
  'debug vend (no ids), failure': { orderId: null, recordId: null, deliverStatus: 0, floorStatus: 2, errorMsg: 'Motor timeout' },
};

/** Flips the result: a failure made to read as a success, and the reverse. */
function tampered(body: string): string {
  const fields = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify({ ...fields, deliver_status: fields.deliver_status === '1' ? '0' : '1' });
}

for (const kind of storeKinds()) {
  describe(`callbacks signed in the form the merchant's own library checks [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let serial = 0;

    before(async () => {
      receiver = await Receiver.start();
      server = await startTestServer(kind, { rateLimitPerMinute: 0 }, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
    });

    /** A create signed by the library, with a spaced `expired_at` so that each library's form differs from the others. */
    const createSignedBy = async (library: MerchantLibrary, merchant: MerchantFixture) => {
      const fields = {
        machine_no: merchant.machines[0]!.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(merchant.machines[0]!.productIds[0]),
        count: '1',
        expired_at: '2030-12-31 23:59:59',
        nonce: `n${++serial}`,
        timestamp: String(nowSeconds()),
      };
      const sign = await library.sign(fields, String(merchant.merchant_id));
      const answer = await call(server.url, '/pickup_codes', { appid: merchant.appid, secret: merchant.app_secret, rawBody: bodyWith({ ...fields, sign }) });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
    };

    const requestFormOf = async (merchant: MerchantFixture) =>
      (await server.store.db.selectFrom('merchants').select(['request_sign_form']).where('id', '=', merchant.merchant_id).executeTakeFirstOrThrow()).request_sign_form;

    /** Queues the results' callbacks for the merchant and returns each body as received, by name. */
    const callbacksFor = async (merchant: MerchantFixture, results: Record<string, Result>): Promise<Record<string, string>> => {
      const paths: Record<string, string> = {};
      for (const [name, result] of Object.entries(results)) {
        const path = (paths[name] = `/notify/${++serial}`);
        await server.store.write({ actor: 'test', requestId: null, at: nowSeconds() }, (work) =>
          queueDeliveryResult(work, { merchantId: merchant.merchant_id, notifyUrl: `${receiver.url}${path}`, deliveryId: ++serial, ...result }),
        );
      }
      await eventually(() => Object.values(paths).every((path) => receiver.on(path).length === 1), 'every callback received');
      return Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, receiver.on(path)[0]!.body]));
    };

    for (const { library, form } of LIBRARIES) {
      const skip = 'skip' in library ? library.skip : false;
      it(`${library.name}: its requests are recognised in the ${form} form, its CheckSignature accepts every callback (success, failure with spaced, Chinese, %&+ or NULL error_msg, ids ≥ 10^6, debug vend) and rejects each one tampered`, { skip }, async () => {
        const signer = library as MerchantLibrary;
        const merchant = await seedMerchant(server.store, { products: 1 });
        await createSignedBy(signer, merchant);
        assert.equal(await requestFormOf(merchant), form);

        const bodies = await callbacksFor(merchant, RESULTS);
        const key = String(merchant.merchant_id);
        const checked = await signer.check(Object.values(bodies), key);
        assert.deepEqual(Object.fromEntries(Object.keys(bodies).map((name, i) => [name, checked[i]])), Object.fromEntries(Object.keys(bodies).map((name) => [name, true])));
        const millionth = JSON.parse(bodies['success, ids of a million']!);
        assert.equal(millionth.order_id, 1000000, 'ids stay JSON numbers, written in full');
        assert.equal(typeof millionth.record_id, 'number');

        const tamperedChecks = await signer.check(Object.values(bodies).map(tampered), key);
        assert.deepEqual(tamperedChecks, Object.keys(bodies).map(() => false));
      });
    }

    it('auto follows the latest request that tells the form: raw before any; kit.js’s after a kit.js create; a plain raw-signed read leaves it; a raw-signed create with a spaced value makes it raw', async () => {
      const merchant = await seedMerchant(server.store, { products: 1 });
      const key = String(merchant.merchant_id);
      const stuck = { stuck: RESULTS['failure, spaced error_msg']! };
      const asText = (body: string) => Object.fromEntries(Object.entries(JSON.parse(body) as Record<string, unknown>).map(([name, value]) => [name, String(value)]));
      const isRaw = (body: string) => JSON.parse(body).sign === phpArraySign(asText(body), key);

      assert.ok(isRaw((await callbacksFor(merchant, stuck)).stuck!), 'raw before any request');

      await createSignedBy(kitJs, merchant);
      const afterKit = (await callbacksFor(merchant, stuck)).stuck!;
      assert.deepEqual(await kitJs.check([afterKit], key), [true]);
      assert.ok(!isRaw(afterKit));

      const sdk = asMerchant(server.url, merchant);
      const machine_no = merchant.machines[0]!.machine_no;
      assert.equal((await sdk('/products', { machine_no })).body.code, 0);
      assert.equal(await requestFormOf(merchant), 'uri-encoded-twice', 'a payload of plain values reads the same in every form');
      assert.deepEqual(await kitJs.check([(await callbacksFor(merchant, stuck)).stuck!], key), [true]);

      const product_id = String(merchant.machines[0]!.productIds[0]);
      const created = await sdk('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id, count: '1', expired_at: '2030-12-31 23:59:59' });
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      assert.equal(await requestFormOf(merchant), 'raw');
      const afterRaw = (await callbacksFor(merchant, stuck)).stuck!;
      assert.ok(isRaw(afterRaw));
      assert.deepEqual(await kitJs.check([afterRaw], key), [false], 'kit.js encodes the spaces: a raw sign is not its own');
    });

    it('vendcloud merchant set --callback-sign-form fixes the form whatever the requests; auto returns to the latest request’s; an unknown form is a usage error', async () => {
      const merchant = await seedMerchant(server.store, { products: 1 });
      const key = String(merchant.merchant_id);
      await createSignedBy(kitJs, merchant);
      const set = (form: string) => {
        const schemaEnv: Record<string, string> = server.location.options.pgSchema ? { VENDCLOUD_DB_SCHEMA: server.location.options.pgSchema } : {};
        return vendcloud(['merchant', 'set', '--merchant', key, '--callback-sign-form', form, '--db', server.location.db], schemaEnv);
      };
      const stuck = { stuck: RESULTS['failure, spaced error_msg']! };
      const fieldsOf = (body: string) => JSON.parse(body) as Record<string, unknown>;

      assert.equal((await set('query-escaped')).code, 0);
      const goForm = (await callbacksFor(merchant, stuck)).stuck!;
      assert.equal(fieldsOf(goForm).sign, pansyStyleSign(fieldsOf(goForm), key));
      assert.deepEqual(await kitJs.check([goForm], key), [false]);

      assert.equal((await set('auto')).code, 0);
      assert.deepEqual(await kitJs.check([(await callbacksFor(merchant, stuck)).stuck!], key), [true]);

      const refused = await set('md5');
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /auto, raw, query-escaped, uri-encoded-twice/);
    });
  });
}
