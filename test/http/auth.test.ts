/**
 * The pipeline of PROTOCOL.md §4: headers → body/payload → signature → timestamp →
 * merchant status, each failure with its documented code and HTTP status, in that order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { encodeBase64Text } from '../../src/protocol/payload.js';
import { computeSign, withSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { setMerchant } from '../../src/service/admin.js';
import { call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

function bodyOf(fields: Record<string, unknown>): string {
  return JSON.stringify({ payload: encodeBase64Text(JSON.stringify(fields)) });
}

for (const kind of storeKinds()) {
  describe(`authentication and the signed payload [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let machineNo: string;
    let path: string;
    const key = () => String(merchant.merchant_id);
    const creds = () => ({ appid: merchant.appid, secret: merchant.app_secret });
    const fresh = (extra: Record<string, string> = {}) => ({ machine_no: machineNo, timestamp: String(nowSeconds()), ...extra });

    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
      other = await seedMerchant(server.store);
      machineNo = merchant.machines[0]!.machine_no;
      path = `/products/${merchant.machines[0]!.productIds[0]}/pickup_code`;
    });
    after(() => server.close());

    const expectFailure = (answer: { status: number; body: { code: number; message: string; data: unknown } }, status: number, code: number) => {
      assert.equal(answer.body.code, code, JSON.stringify(answer.body));
      assert.equal(answer.status, status);
      assert.deepEqual(answer.body.data, {});
    };

    it('answers 10008 when Appid or AppSecret is missing or empty', async () => {
      const body = bodyOf(withSign(fresh(), key()));
      expectFailure(await call(server.url, path, { rawBody: body }), 401, 10008);
      expectFailure(await call(server.url, path, { appid: merchant.appid, rawBody: body }), 401, 10008);
      expectFailure(await call(server.url, path, { secret: merchant.app_secret, rawBody: body }), 401, 10008);
      expectFailure(await call(server.url, path, { appid: '', secret: merchant.app_secret, rawBody: body }), 401, 10008);
      expectFailure(await call(server.url, path, { appid: merchant.appid, secret: '  ', rawBody: body }), 401, 10008);
      const answer = await call(server.url, path, { rawBody: body });
      assert.equal(answer.body.message, 'appid or appsecret is empty');
    });

    it('answers 10014 for an unknown Appid', async () => {
      expectFailure(await call(server.url, '/ping', { appid: 'ds0000000000000000', secret: merchant.app_secret }), 401, 10014);
    });

    it('answers 10013 for a wrong AppSecret, including another merchant’s', async () => {
      expectFailure(await call(server.url, '/ping', { appid: merchant.appid, secret: 'x'.repeat(32) }), 401, 10013);
      expectFailure(await call(server.url, '/ping', { appid: merchant.appid, secret: other.app_secret }), 401, 10013);
    });

    it('checks the headers before the body: bad credentials with a broken body answer 10013', async () => {
      expectFailure(await call(server.url, path, { appid: merchant.appid, secret: 'wrong', rawBody: 'not json' }), 401, 10013);
    });

    it('answers 400 for a body that is not JSON, lacks payload, or whose payload is not base64 of a JSON object', async () => {
      for (const rawBody of [
        'not json',
        '{"payload":',
        '[]',
        '{}',
        '{"payload":""}',
        '{"payload":123}',
        '{"payload":"!!!not base64!!!"}',
        JSON.stringify({ payload: encodeBase64Text('[1,2,3]') }),
        JSON.stringify({ payload: encodeBase64Text('"a string"') }),
        JSON.stringify({ payload: encodeBase64Text('null') }),
        JSON.stringify({ payload: encodeBase64Text('{broken json') }),
        JSON.stringify({ payload: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64') }),
      ]) {
        const answer = await call(server.url, path, { ...creds(), rawBody });
        expectFailure(answer, 400, 400);
        assert.match(answer.body.message, /^Bad Request/);
      }
    });

    it('answers 10001 naming the field for a boolean value, and 10002 for a nested value the sign does not cover', async () => {
      for (const value of [true, false]) {
        const answer = await call(server.url, path, { ...creds(), rawBody: bodyOf({ ...withSign(fresh(), key()), machine_no: value }) });
        expectFailure(answer, 400, 10001);
        assert.equal(answer.body.message, '表单校验失败，请重新输入: machine_no must be a string');
      }
      for (const value of [{ a: 1 }, [1]]) {
        expectFailure(await call(server.url, path, { ...creds(), rawBody: bodyOf({ ...withSign(fresh(), key()), machine_no: value }) }), 401, 10002);
      }
    });

    it('answers 10002 when sign is missing or wrong, saying which', async () => {
      for (const unsigned of [fresh(), { ...fresh(), sign: '' }]) {
        const missing = await call(server.url, path, { ...creds(), rawBody: bodyOf(unsigned) });
        expectFailure(missing, 401, 10002);
        assert.equal(missing.body.message, 'sign is invalid: the payload has no sign field');
      }
      const wrong = await call(server.url, path, { ...creds(), rawBody: bodyOf({ ...fresh(), sign: '0'.repeat(32) }) });
      expectFailure(wrong, 401, 10002);
      assert.equal(wrong.body.message, 'sign is invalid');
      // Signed with the AppSecret instead of the merchant id: the classic integration mistake.
      expectFailure(await call(server.url, path, { ...creds(), rawBody: bodyOf(withSign(fresh(), merchant.app_secret)) }), 401, 10002);
      // Signed correctly, then a field changed in transit.
      const signed = withSign(fresh(), key());
      expectFailure(await call(server.url, path, { ...creds(), rawBody: bodyOf({ ...signed, machine_no: other.machines[0]!.machine_no }) }), 401, 10002);
    });

    it('accepts a lowercase hex sign', async () => {
      const fields = fresh();
      const answer = await call(server.url, path, { ...creds(), rawBody: bodyOf({ ...fields, sign: computeSign(fields, key()).toLowerCase() }) });
      assert.equal(answer.body.code, 0);
    });

    it('answers 10003 for a timestamp that is missing, not a number, or outside the window', async () => {
      const now = nowSeconds();
      for (const timestamp of [undefined, 'abc', '12.5', '-5', String(now - 400), String(now + 400)]) {
        const fields: Record<string, string> = { machine_no: machineNo };
        if (timestamp !== undefined) fields.timestamp = timestamp;
        expectFailure(await call(server.url, path, { ...creds(), rawBody: bodyOf(withSign(fields, key())) }), 401, 10003);
      }
      for (const timestamp of [String(now - 200), String(now + 200)]) {
        const answer = await call(server.url, path, { ...creds(), rawBody: bodyOf(withSign({ machine_no: machineNo, timestamp }, key())) });
        assert.equal(answer.body.code, 0, `timestamp ${timestamp} is within 300 s`);
      }
    });

    it('checks the signature before the timestamp', async () => {
      expectFailure(await call(server.url, path, { ...creds(), rawBody: bodyOf({ machine_no: machineNo, timestamp: 'abc', sign: 'bad' }) }), 401, 10002);
    });

    it('answers 10010 for a merchant not verified and 10009 for an expired one, after the signature', async () => {
      const suspended = await seedMerchant(server.store);
      const signedFor = (m: MerchantFixture) => bodyOf(withSign({ machine_no: m.machines[0]!.machine_no, timestamp: String(nowSeconds()) }, String(m.merchant_id)));
      const suspendedPath = `/products/${suspended.machines[0]!.productIds[0]}/pickup_code`;
      const as = { appid: suspended.appid, secret: suspended.app_secret };
      await setMerchant(server.store, suspended.merchant_id, { verified: false });
      expectFailure(await call(server.url, suspendedPath, { ...as, rawBody: signedFor(suspended) }), 403, 10010);
      expectFailure(await call(server.url, '/ping', as), 403, 10010);
      // A bad signature is reported before the merchant's status.
      expectFailure(await call(server.url, suspendedPath, { ...as, rawBody: bodyOf({ machine_no: '12345678', timestamp: '1', sign: 'x' }) }), 401, 10002);
      await setMerchant(server.store, suspended.merchant_id, { verified: true, expiresAt: nowSeconds() - 1 });
      const expired = await call(server.url, suspendedPath, { ...as, rawBody: signedFor(suspended) });
      expectFailure(expired, 403, 10009);
      assert.equal(expired.body.message, '当前商户已过期，请先续费');
      await setMerchant(server.store, suspended.merchant_id, { expiresAt: nowSeconds() + 3600 });
      assert.equal((await call(server.url, suspendedPath, { ...as, rawBody: signedFor(suspended) })).body.code, 0);
    });
  });

  describe(`timestamp window configuration [${kind.name}]`, { skip: kind.skip }, () => {
    it('turns the timestamp check off with a window of 0, but still requires a timestamp', async () => {
      const server = await startTestServer(kind, { timestampWindowSeconds: 0 });
      try {
        const merchant = await seedMerchant(server.store);
        const machineNo = merchant.machines[0]!.machine_no;
        const path = `/products/${merchant.machines[0]!.productIds[0]}/pickup_code`;
        const as = { appid: merchant.appid, secret: merchant.app_secret };
        const old = await call(server.url, path, { ...as, rawBody: bodyOf(withSign({ machine_no: machineNo, timestamp: '1714185061' }, String(merchant.merchant_id))) });
        assert.equal(old.body.code, 0);
        const missing = await call(server.url, path, { ...as, rawBody: bodyOf(withSign({ machine_no: machineNo }, String(merchant.merchant_id))) });
        assert.equal(missing.body.code, 10003);
      } finally {
        await server.close();
      }
    });
  });
}
