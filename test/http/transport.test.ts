/**
 * The request shapes merchants' existing clients send (PROTOCOL.md §1): every one of them
 * must reach the endpoint, and everything malformed must get the documented 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { Client } from 'undici';
import { encodeBase64Text, encodeSignedPayload } from '../../src/protocol/payload.js';
import { withSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`transport [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let machineNo: string;
    let productId: number;
    const headers = () => ({ appid: merchant.appid, secret: merchant.app_secret });
    const signedFields = () => withSign({ machine_no: machineNo, timestamp: String(nowSeconds()) }, String(merchant.merchant_id));
    const queryPath = () => `/products/${productId}/pickup_code`;

    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    it('accepts a JSON body with no Content-Type, as the Go and PHP examples send it', async () => {
      const answer = await call(server.url, queryPath(), { ...headers(), rawBody: JSON.stringify({ payload: encodeBase64Text(JSON.stringify(signedFields())) }) });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: [] });
    });

    for (const contentType of ['application/json', 'text/plain', 'application/json; charset=utf-8', 'application/octet-stream']) {
      it(`accepts a JSON body labelled ${contentType}`, async () => {
        const answer = await call(server.url, queryPath(), {
          ...headers(),
          headers: { 'content-type': contentType },
          rawBody: JSON.stringify({ payload: encodeBase64Text(JSON.stringify(signedFields())) }),
        });
        assert.equal(answer.body.code, 0);
      });
    }

    it('accepts a form-encoded payload field', async () => {
      const payload = encodeBase64Text(JSON.stringify(signedFields()));
      const answer = await call(server.url, queryPath(), {
        ...headers(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        rawBody: new URLSearchParams({ payload }).toString(),
      });
      assert.equal(answer.body.code, 0);
    });

    it('accepts ?payload= in the query string when there is no body', async () => {
      const payload = encodeBase64Text(JSON.stringify(signedFields()));
      const answer = await call(server.url, queryPath(), { ...headers(), query: `?payload=${encodeURIComponent(payload)}` });
      assert.equal(answer.body.code, 0);
    });

    it('accepts pretty-printed JSON inside the base64, as the reference docs show it', async () => {
      const pretty = JSON.stringify(signedFields(), null, '\t').replace(/\n/g, '\r\n');
      const answer = await call(server.url, queryPath(), { ...headers(), rawBody: JSON.stringify({ payload: encodeBase64Text(pretty) }) });
      assert.equal(answer.body.code, 0);
    });

    it('accepts the URL-safe alphabet and missing padding', async () => {
      // A value chosen so the standard encoding contains + and / and ends in padding.
      const fields = withSign({ machine_no: machineNo, note: '??>>~~', timestamp: String(nowSeconds()) }, String(merchant.merchant_id));
      const standard = encodeBase64Text(JSON.stringify(fields));
      const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      assert.notEqual(urlSafe, standard);
      const answer = await call(server.url, queryPath(), { ...headers(), rawBody: JSON.stringify({ payload: urlSafe }) });
      assert.equal(answer.body.code, 0);
    });

    it('takes a JSON number as its decimal text, in the fields and in the signature', async () => {
      const timestamp = nowSeconds();
      const asText = withSign({ machine_no: machineNo, timestamp: String(timestamp) }, String(merchant.merchant_id));
      const payload = encodeBase64Text(JSON.stringify({ ...asText, timestamp, machine_no: Number(machineNo) }));
      const answer = await call(server.url, queryPath(), { ...headers(), rawBody: JSON.stringify({ payload }) });
      assert.equal(answer.body.code, 0);
    });

    it('reads the Appid and AppSecret headers case-insensitively', async () => {
      const answer = await call(server.url, '/ping', { headers: { APPID: merchant.appid, appsecret: merchant.app_secret } });
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: 'pong' });
    });

    it('answers 404 with the envelope for an unknown route', async () => {
      const answer = await call(server.url, '/no/such/route', headers());
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { code: 404, message: 'Not Found', data: {} });
    });

    it('answers 405 for a known path with the wrong verb', async () => {
      for (const [method, path] of [['GET', '/ping'], ['DELETE', '/pickup_codes'], ['PUT', '/consumes'], ['GET', '/pickup_codes']] as const) {
        const answer = await call(server.url, path, { ...headers(), method });
        assert.equal(answer.status, 405, `${method} ${path}`);
        assert.deepEqual(answer.body, { code: 405, message: 'Method Not Allowed', data: {} });
      }
    });

    it('refuses a 10 MB body with a complete 400 answer, closes that connection cleanly, and keeps serving', async () => {
      const client = new Client(server.url);
      let connections = 0;
      client.on('connect', () => connections++);
      try {
        const big = await client.request({
          path: '/api/openapi/v1/ping',
          method: 'POST',
          headers: { appid: merchant.appid, appsecret: merchant.app_secret, 'content-type': 'application/json' },
          body: 'x'.repeat(10 * 1024 * 1024),
        });
        assert.equal(big.statusCode, 400);
        // Reading 10 MB only to discard it would let any client tie up the server, so
        // the answer announces the close instead of the connection being reset.
        assert.equal(big.headers.connection, 'close');
        assert.equal(JSON.parse(await big.body.text()).code, 400);
        const next = await client.request({ path: '/api/openapi/v1/ping', method: 'POST', headers: { appid: merchant.appid, appsecret: merchant.app_secret } });
        assert.equal(next.statusCode, 200);
        assert.equal(JSON.parse(await next.body.text()).data, 'pong');
        assert.equal(connections, 2, 'the client reconnected after the announced close');
      } finally {
        await client.close();
      }
    });

    it('gives every response a request id header', async () => {
      const answer = await call(server.url, '/ping', headers());
      assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('never answers with a stack trace', async () => {
      const answers = await Promise.all([
        call(server.url, queryPath(), { ...headers(), rawBody: '{"payload":' }),
        call(server.url, queryPath(), { ...headers(), rawBody: '\u0000\u0001\u0002' }),
        call(server.url, queryPath(), { ...headers(), rawBody: JSON.stringify({ payload: encodeSignedPayload({ machine_no: '1'.repeat(5000) }, 'x') }) }),
      ]);
      for (const answer of answers) assert.doesNotMatch(JSON.stringify(answer.body), /at .*\.js:\d+|Error:/);
    });
  });
}

describe('rate limit (extension)', () => {
  it('answers 429 with the envelope once an Appid exceeds its requests per minute, without slowing other merchants', async () => {
    const server = await startTestServer(storeKinds()[0]!, { rateLimitPerMinute: 5 });
    try {
      const busy = await seedMerchant(server.store);
      const calm = await seedMerchant(server.store);
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await call(server.url, '/ping', { appid: busy.appid, secret: busy.app_secret }));
      assert.deepEqual(answers.map((a) => a.body.code), [0, 0, 0, 0, 0, 429, 429]);
      assert.equal(answers[6]!.status, 429);
      assert.deepEqual(answers[6]!.body, { code: 429, message: 'Too Many Requests', data: {} });
      assert.equal((await call(server.url, '/ping', { appid: calm.appid, secret: calm.app_secret })).body.code, 0);
    } finally {
      await server.close();
    }
  });
});
