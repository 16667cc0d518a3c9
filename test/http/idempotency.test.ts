/**
 * Safe retries (PROTOCOL.md §2, extension): a signed request the server already answered
 * is not executed again; the retry gets the first answer, byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeBase64Text } from '../../src/protocol/payload.js';
import { withSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { AnsweredRequests } from '../../src/http/answer-once.js';
import { call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`idempotent retries [${kind.name}]`, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let machineNo: string;
    let productId: number;

    before(async () => {
      server = await startTestServer(kind, { clock: () => now });
      merchant = await seedMerchant(server.store, { capacity: 50 });
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    /** One signed request, frozen: sending it again is a retry. */
    const frozen = (fields: Record<string, string>, method: 'POST' | 'PUT' = 'POST', path = '/pickup_codes') => {
      const signed = withSign({ machine_no: machineNo, timestamp: String(now), ...fields }, String(merchant.merchant_id));
      const rawBody = JSON.stringify({ payload: encodeBase64Text(JSON.stringify(signed)) });
      return { signed, send: () => call(server.url, path, { method, appid: merchant.appid, secret: merchant.app_secret, rawBody }) };
    };
    const codeCount = async () =>
      Number((await server.store.db.selectFrom('pickup_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('product_id', '=', productId).executeTakeFirstOrThrow()).n);

    it('a retried create returns the same codes and creates them once', async () => {
      const request = frozen({ method: 'pickup_code.product.id', product_id: String(productId), count: '3', nonce: 'a' });
      const before = await codeCount();
      const first = await request.send();
      const second = await request.send();
      assert.equal(first.body.code, 0);
      assert.deepEqual(second.body, first.body);
      assert.equal(await codeCount(), before + 3);
    });

    it('identical requests racing each other still create the codes once', async () => {
      const request = frozen({ method: 'pickup_code.product.id', product_id: String(productId), count: '2', nonce: 'race' });
      const before = await codeCount();
      const answers = await Promise.all(Array.from({ length: 12 }, () => request.send()));
      for (const answer of answers) assert.deepEqual(answer.body, answers[0]!.body);
      assert.equal(answers[0]!.body.code, 0);
      assert.equal(await codeCount(), before + 2);
    });

    it('a retried cancel answers ok again instead of 80002', async () => {
      const made = await frozen({ method: 'pickup_code.product.id', product_id: String(productId), nonce: 'c' }).send();
      const cancel = frozen({ method: 'pickup_code.delete.id', id: String(made.body.data.codes[0].id) }, 'PUT');
      assert.deepEqual((await cancel.send()).body, { code: 0, message: 'ok', data: {} });
      assert.deepEqual((await cancel.send()).body, { code: 0, message: 'ok', data: {} });
      const history = await server.store.db.selectFrom('code_history').select('id').where('pickup_code_id', '=', made.body.data.codes[0].id).where('action', '=', 'cancel').execute();
      assert.equal(history.length, 1, 'cancelled once');
    });

    it('a retried cancel-all returns the first count', async () => {
      await frozen({ method: 'pickup_code.product.id', product_id: String(productId), count: '4', nonce: 'd' }).send();
      const cancelAll = frozen({ method: 'pickup_code.delete.all' }, 'PUT');
      const first = await cancelAll.send();
      assert.ok(first.body.data.count >= 4);
      assert.deepEqual((await cancelAll.send()).body, first.body);
    });

    it('a business failure is answered the same way on retry', async () => {
      const cancel = frozen({ method: 'pickup_code.delete.id', id: '99999999' }, 'PUT');
      assert.equal((await cancel.send()).body.code, 80002);
      assert.equal((await cancel.send()).body.code, 80002);
    });

    it('a request fault is not stored: the retry is checked again', async () => {
      const bad = frozen({ method: 'pickup_code.product.id', product_id: String(productId), count: '0' });
      assert.equal((await bad.send()).body.code, 10001);
      assert.equal((await bad.send()).body.code, 10001);
      const stored = await server.store.db.selectFrom('answered_requests').select('sign').where('sign', '=', bad.signed.sign).execute();
      assert.equal(stored.length, 0);
    });

    it('the same request with a lowercase sign is the same request', async () => {
      const request = frozen({ method: 'pickup_code.product.id', product_id: String(productId), nonce: 'case' });
      const first = await request.send();
      const lower = { ...request.signed, sign: request.signed.sign.toLowerCase() };
      const again = await call(server.url, '/pickup_codes', {
        appid: merchant.appid,
        secret: merchant.app_secret,
        rawBody: JSON.stringify({ payload: encodeBase64Text(JSON.stringify(lower)) }),
      });
      assert.deepEqual(again.body, first.body);
    });

    it('answers survive a restart', async () => {
      const request = frozen({ method: 'pickup_code.product.id', product_id: String(productId), nonce: 'restart' });
      const first = await request.send();
      server = await server.restart();
      const before = await codeCount();
      assert.deepEqual((await request.send()).body, first.body);
      assert.equal(await codeCount(), before);
    });

    it('a replay outside the timestamp window is refused, and its stored answer is purged', async () => {
      const request = frozen({ method: 'pickup_code.product.id', product_id: String(productId), nonce: 'old' });
      assert.equal((await request.send()).body.code, 0);
      now += 301;
      assert.equal((await request.send()).body.code, 10003);
      const answers = new AnsweredRequests(server.store, 300);
      assert.ok((await answers.purge(now)) >= 1);
      const left = await server.store.db.selectFrom('answered_requests').select('sign').where('sign', '=', request.signed.sign).execute();
      assert.deepEqual(left, []);
    });
  });
}
