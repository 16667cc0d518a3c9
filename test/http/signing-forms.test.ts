/**
 * The Open API accepts requests as the original platform's own client libraries sign
 * them (issue 9): kit.js's real Signatory, go-pansy v1.1.1's query-escaped form with
 * nested values, and refuses the forms that leave part of a payload unsigned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { Signatory } from '@cakioe/kit.js';
import { decodePayload } from '../../src/protocol/payload.js';
import { computeSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { call, seedMerchant, startTestServer, writtenRows, type ApiAnswer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { bodyWith, pansyOldSign, pansyStyleSign, phpArraySign } from '../helpers/signing.js';
import { storeKinds } from '../helpers/stores.js';

const EXPIRED_AT = '2030-12-31 23:59:59';

for (const kind of storeKinds()) {
  describe(`signing forms of the published clients on the Open API [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let machineNo: string;
    let productId: number;
    let serial = 0;
    const key = () => String(merchant.merchant_id);
    const send = (path: string, rawBody: string): Promise<ApiAnswer> => call(server.url, path, { appid: merchant.appid, secret: merchant.app_secret, rawBody });
    /** The fields of a create for the machine's first product; a nonce keeps each call a request of its own. */
    const createFields = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      machine_no: machineNo,
      method: 'pickup_code.product.id',
      product_id: String(productId),
      count: '1',
      expired_at: EXPIRED_AT,
      nonce: `n${++serial}`,
      timestamp: String(nowSeconds()),
      ...extra,
    });
    const tradeId = () => `KIT-${process.pid}-${++serial}`.padEnd(24, '0');

    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { capacity: 50, inventory: 50 });
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    it("kit.js's real Signatory signs a create with expired_at and a consume with notify_url; both answer code 0", async () => {
      const signer = new Signatory(key());
      const createPayload = signer.toBase64String({ machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), count: '1', expired_at: EXPIRED_AT });
      const sent = decodePayload(createPayload) as Record<string, string>;
      assert.notEqual(sent.sign, computeSign(sent, key()), 'kit.js does not sign this create in the raw form');
      const created = await send('/pickup_codes', JSON.stringify({ payload: createPayload }));
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const code = created.body.data.codes[0] as { code: string };

      const consumePayload = signer.toBase64String({
        machine_no: machineNo,
        method: 'event.consume.pickup_code',
        code: code.code,
        product_id: String(productId),
        trade_id: tradeId(),
        notify_url: 'https://merchant.example/回调?shop=北京&a=1',
      });
      const consumeSent = decodePayload(consumePayload) as Record<string, string>;
      assert.notEqual(consumeSent.sign, computeSign(consumeSent, key()), 'kit.js does not sign this consume in the raw form');
      const consumed = await send('/consumes', JSON.stringify({ payload: consumePayload }));
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
      assert.equal(consumed.body.data.trade_id, consumeSent.trade_id);
    });

    it('a create and a consume signed as go-pansy v1.1.1 signs them (query-escaped) answer code 0', async () => {
      const fields = createFields();
      assert.notEqual(pansyStyleSign(fields, key()), computeSign(fields as Record<string, string>, key()), 'not the raw form');
      const created = await send('/pickup_codes', bodyWith({ ...fields, sign: pansyStyleSign(fields, key()) }));
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const consume = {
        machine_no: machineNo,
        method: 'event.consume.pickup_code',
        code: created.body.data.codes[0].code as string,
        product_id: String(productId),
        trade_id: tradeId(),
        notify_url: 'https://merchant.example/notify?a=1&b=2',
        timestamp: String(nowSeconds()),
      };
      const consumed = await send('/consumes', bodyWith({ ...consume, sign: pansyStyleSign(consume, key()) }));
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
    });

    it('a pansy-v1.1.1-style payload with nested values is accepted; one nested value changed after signing is refused (401, 10002) and writes nothing', async () => {
      const fields = createFields({ os: { family: 'unix', hostname: 'debian 12' }, goods: [{ x: '1', y: '2' }] });
      const sign = pansyStyleSign(fields, key());
      const accepted = await send('/pickup_codes', bodyWith({ ...fields, sign }));
      assert.equal(accepted.body.code, 0, JSON.stringify(accepted.body));

      const before = await writtenRows(server.store);
      const tampered = await send('/pickup_codes', bodyWith({ ...fields, goods: [{ x: '1', y: '3' }], sign }));
      assert.deepEqual([tampered.status, tampered.body], [401, { code: 10002, message: 'sign is invalid', data: {} }]);
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it("the PHP library's form of a nested payload (the word Array in its place) and pansy v1.0.7's (the value left out) are refused: 401, 10002, nothing written", async () => {
      const fields = createFields({ goods: [{ x: '1', y: '2' }] });
      const before = await writtenRows(server.store);
      for (const sign of [phpArraySign(fields, key()), pansyOldSign(fields, key())]) {
        const answer = await send('/pickup_codes', bodyWith({ ...fields, sign }));
        assert.deepEqual([answer.status, answer.body], [401, { code: 10002, message: 'sign is invalid', data: {} }]);
      }
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('a nested value in a field the endpoint reads, correctly signed, is a 10001 naming that field and writes nothing', async () => {
      const before = await writtenRows(server.store);
      for (const [name, nested] of [
        ['product_id', [String(productId)]],
        ['expired_at', { date: '2030-12-31', time: '23:59:59' }],
      ] as const) {
        const fields = createFields({ [name]: nested });
        const answer = await send('/pickup_codes', bodyWith({ ...fields, sign: pansyStyleSign(fields, key()) }));
        assert.deepEqual([answer.status, answer.body], [400, { code: 10001, message: `表单校验失败，请重新输入: ${name} must be a string, not an object or array`, data: {} }]);
      }
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('a kit.js payload holding the value NULL, which kit.js leaves out of its sign, is refused (401, 10002)', async () => {
      const payload = new Signatory(key()).toBase64String({ machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), note: 'NULL' });
      const answer = await send('/pickup_codes', JSON.stringify({ payload }));
      assert.deepEqual([answer.status, answer.body.code], [401, 10002]);
    });
  });
}
