/**
 * What the SDK puts on the wire and how it survives a bad network: the signature of
 * PROTOCOL.md §2, a fresh nonce per call that its retries resend in the same signed body
 * (so the server runs the call once), and no retry where a retry cannot help.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from '../helpers/node-test.js';
import { NetworkError, OpenApiError, VendcloudClient } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodePayload, textFields } from '../../src/protocol/payload.js';
import { computeSign, verifySignature } from '../../src/protocol/signature.js';
import { setMerchant } from '../../src/service/admin.js';
import { clientFor, countingFetch } from '../helpers/client.js';
import { closedPort, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const VECTOR = { fields: { a: '2', b: '3', timestamp: '1718180788' }, key: 'abc', sign: '8BD7FD74204B0204CBF365F20287D436' };

function payloadOf(body: string | undefined) {
  return textFields(decodePayload((JSON.parse(body ?? '{}') as { payload: string }).payload));
}


describe('SDK signature (PROTOCOL.md §2)', () => {
  const client = new VendcloudClient({ baseUrl: 'http://127.0.0.1:9', appId: 'ds0', appSecret: 's', merchantId: VECTOR.key });

  it('signs the documented vector', () => {
    const fields = payloadOf(JSON.stringify({ payload: client.signPayload(VECTOR.fields) }));
    assert.deepEqual(fields, { ...VECTOR.fields, sign: VECTOR.sign });
  });

  it('an empty field changes nothing in the sign', () => {
    assert.equal(payloadOf(JSON.stringify({ payload: client.signPayload({ ...VECTOR.fields, c: '' }) })).sign, VECTOR.sign);
  });
});

for (const kind of storeKinds()) {
  describe(`SDK on the wire [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let machineNo: string;
    let productId: number;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { capacity: 20 });
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    it('sends a payload of string fields with timestamp and nonce, signed with the merchant id as key', async () => {
      const { fetch, sent } = countingFetch();
      await clientFor(server.url, merchant, { fetch }).createPickupCodes(machineNo, { productId, count: 2, codeLength: 7 });
      const fields = payloadOf(sent[0]!.body);
      assert.equal(fields.machine_no, machineNo);
      assert.equal(fields.method, 'pickup_code.product.id');
      assert.equal(fields.product_id, String(productId));
      assert.equal(fields.count, '2');
      assert.equal(fields.code_length, '7');
      assert.match(fields.timestamp!, /^[0-9]{10}$/);
      assert.match(fields.nonce!, /^[0-9a-f]{16}$/);
      assert.equal(fields.sign, computeSign(fields, String(merchant.merchant_id)));
      assert.equal(verifySignature(fields, String(merchant.merchant_id))?.form, 'raw');
    });

    /**
     * A fetch whose every first attempt reaches the server, which commits and answers; then
     * the connection "breaks" before the client sees the answer.
     */
    const cuttingFirstAnswers = () => {
      const bodies: Array<string | undefined> = [];
      const fetch = async (input: string, init: RequestInit) => {
        bodies.push(init.body as string | undefined);
        const response = await globalThis.fetch(input, init);
        if (bodies.length % 2 === 1) {
          await response.arrayBuffer();
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        return response;
      };
      return { fetch, bodies };
    };

    it('a create whose answer is lost is retried with the same body and nonce, and creates its codes once', async () => {
      const other = merchant.machines[0]!.productIds[1]!;
      const { fetch, bodies } = cuttingFirstAnswers();
      const codes = await clientFor(server.url, merchant, { fetch }).createPickupCodes(machineNo, { productId: other, count: 5 });
      assert.equal(bodies.length, 2, 'retried once');
      assert.equal(bodies[1], bodies[0], 'the very same signed body');
      assert.match(payloadOf(bodies[0]).nonce!, /^[0-9a-f]{16}$/);
      assert.equal(codes.length, 5);
      const stored = await clientFor(server.url, merchant).queryPickupCodes(machineNo, { productId: other, status: 'ALL', perPage: 100 });
      assert.equal(stored.total, 5);
      assert.deepEqual(stored.data.map((c) => c.id), codes.map((c) => c.id));
    });

    it('every call has a fresh nonce: two calls with the same arguments in one second create two sets', async () => {
      const { fetch, sent } = countingFetch();
      const client = clientFor(server.url, merchant, { fetch });
      const [first] = await client.createPickupCodes(machineNo, { productId, count: 1 });
      const [second] = await client.createPickupCodes(machineNo, { productId, count: 1 });
      assert.notEqual(payloadOf(sent[0]!.body).nonce, payloadOf(sent[1]!.body).nonce);
      assert.notEqual(first!.id, second!.id);
    });

    it('a merchant that requires a nonce uses every SDK write, lost answers and retries included', async () => {
      await setMerchant(server.store, merchant.merchant_id, { requireNonce: true });
      try {
        const { fetch, bodies } = cuttingFirstAnswers();
        const client = clientFor(server.url, merchant, { fetch });
        const [code] = await client.createPickupCodes(machineNo, { productId, count: 1 });
        await client.cancelPickupCode(machineNo, code!.id);
        const live = (await clientFor(server.url, merchant).queryPickupCodes(machineNo, { perPage: 1 })).total;
        assert.ok(live > 0);
        assert.equal(await client.cancelAllPickupCodes(machineNo), live, 'the retry gets the first attempt’s count, not 0');
        assert.equal(bodies.length, 6, 'each call retried once');
      } finally {
        await setMerchant(server.store, merchant.merchant_id, { requireNonce: false });
      }
    });

    it('a 5xx is retried, and the retry’s answer is returned', async () => {
      let attempts = 0;
      const unavailableOnce = async (input: string, init: RequestInit) => {
        if (++attempts === 1) return new Response('<html>502 Bad Gateway</html>', { status: 502 });
        return globalThis.fetch(input, init);
      };
      assert.equal(await clientFor(server.url, merchant, { fetch: unavailableOnce }).ping(), 'pong');
      assert.equal(attempts, 2);
    });

    it('a 5xx that persists is an OpenApiError after retries + 1 attempts', async () => {
      let attempts = 0;
      const alwaysFailing = async () => {
        attempts++;
        return new Response('{"code":500,"message":"Internal Server Error","data":{}}', { status: 500 });
      };
      const error = await clientFor(server.url, merchant, { fetch: alwaysFailing, retries: 1 }).ping().catch((e: unknown) => e);
      assert.ok(error instanceof OpenApiError);
      assert.equal(error.code, ErrorCode.INTERNAL_ERROR);
      assert.equal(error.httpStatus, 500);
      assert.equal(attempts, 2);
    });

    it('a 4xx is not retried', async () => {
      const { fetch, sent } = countingFetch();
      const error = await clientFor(server.url, { ...merchant, app_secret: 'wrong' }, { fetch }).ping().catch((e: unknown) => e);
      assert.ok(error instanceof OpenApiError);
      assert.equal(error.httpStatus, 401);
      assert.equal(sent.length, 1);
    });

    it('a business failure (HTTP 200, non-zero code) is not retried', async () => {
      const { fetch, sent } = countingFetch();
      const error = await clientFor(server.url, merchant, { fetch }).cancelPickupCode(machineNo, 987_654_321).catch((e: unknown) => e);
      assert.ok(error instanceof OpenApiError);
      assert.equal(error.code, ErrorCode.RECORD_NOT_FOUND);
      assert.equal(sent.length, 1);
    });
  });
}

describe('SDK without a server', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  before(async () => {
    // Accepts connections and never answers.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a refused connection is a NetworkError after retries + 1 attempts', async () => {
    const { fetch, sent } = countingFetch();
    const client = new VendcloudClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, appId: 'ds0', appSecret: 's', merchantId: 1, retries: 2, fetch });
    const error = await client.ping().catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.attempts, 3);
    assert.equal(sent.length, 3);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('no answer within timeoutMs is a NetworkError', async () => {
    const { port } = silent.address() as { port: number };
    const client = new VendcloudClient({ baseUrl: `http://127.0.0.1:${port}`, appId: 'ds0', appSecret: 's', merchantId: 1, timeoutMs: 150, retries: 1 });
    const error = await client.listMachines().catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.attempts, 2);
    assert.match(error.message, /timeout/);
  });
});
