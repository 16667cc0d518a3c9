/**
 * Opt-in strong request signing: a merchant's signing secret keys an HMAC-SHA256 header over
 * timestamp, verb, path and body. Once required, a request without it (an original client's
 * MD5-signed request, or one copied off the wire to another path or body) is refused with
 * 10002; the SDK sends it when given the secret. Merchants who did not opt in are unaffected.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { OpenApiError, VendcloudClient } from '../../src/client/index.js';
import { requestSignature } from '../../src/protocol/request-signature.js';
import { rotateSigningSecret, setMerchant } from '../../src/service/admin.js';
import { call, seedMerchant, startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const now = () => Math.floor(Date.now() / 1000);

for (const kind of storeKinds()) {
  describe(`strong request signing (${kind.name})`, { skip: kind.skip }, () => {
    it('with --require-signature on, the SDK given the secret works and a request without the header or signed for another path or body is 10002', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store);
        const { signing_secret } = await rotateSigningSecret(server.store, merchant.merchant_id);
        await setMerchant(server.store, merchant.merchant_id, { requireSignature: true });
        const sdk = (signingSecret?: string) =>
          new VendcloudClient({ baseUrl: server.url, appId: merchant.appid, appSecret: merchant.app_secret, merchantId: merchant.merchant_id, retries: 0, ...(signingSecret ? { signingSecret } : {}) });

        assert.equal(await sdk(signing_secret).ping(), 'pong');
        const machines = await sdk(signing_secret).listMachines();
        assert.equal(machines[0]!.machineNo, merchant.machines[0]!.machine_no);
        await assert.rejects(sdk().ping(), (error: unknown) => error instanceof OpenApiError && error.code === 10002 && error.httpStatus === 401);
        await assert.rejects(sdk('not-the-secret').ping(), (error: unknown) => error instanceof OpenApiError && error.code === 10002);

        const credentials = { appid: merchant.appid, secret: merchant.app_secret };
        const signedFor = (method: string, target: string, body: string) => ({ 'Vendcloud-Request-Signature': requestSignature(signing_secret, now(), method, target, body) });
        assert.equal((await call(server.url, '/ping', { ...credentials, headers: signedFor('POST', '/api/openapi/v1/ping', '') })).body.code, 0);
        const moved = await call(server.url, '/ping', { ...credentials, headers: signedFor('POST', '/api/openapi/v1/rent/machines', '') });
        assert.equal(moved.body.code, 10002);
        const tampered = await call(server.url, '/ping', { ...credentials, rawBody: '{"x":1}', headers: signedFor('POST', '/api/openapi/v1/ping', '{"x":2}') });
        assert.equal(tampered.body.code, 10002);
        const stale = await call(server.url, '/ping', { ...credentials, headers: { 'Vendcloud-Request-Signature': requestSignature(signing_secret, now() - 3600, 'POST', '/api/openapi/v1/ping', '') } });
        assert.equal(stale.body.code, 10002, 'a signature an hour old is refused');
      } finally {
        await server.close();
      }
    });

    it('a merchant that did not opt in is served without the header, and a wrong header is still refused', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store);
        const credentials = { appid: merchant.appid, secret: merchant.app_secret };
        assert.equal((await call(server.url, '/ping', credentials)).body.code, 0);
        const forged = await call(server.url, '/ping', { ...credentials, headers: { 'Vendcloud-Request-Signature': requestSignature('guess', now(), 'POST', '/api/openapi/v1/ping', '') } });
        assert.equal(forged.body.code, 10002);
      } finally {
        await server.close();
      }
    });
  });
}
