/**
 * The Open API's reference (issue 22, point 2): an OpenAPI 3.1 document generated from the
 * routes as registered, the payload fields each declares and reads, and the answer schemas
 * the tests check answers against; valid by an OpenAPI validator; served without credentials;
 * its page renders in Chromium with nothing fetched from elsewhere.
 */
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { describe, it } from '../helpers/node-test.js';
import { CHROMIUM_PATH, needs } from '../helpers/components.js';
import { asMerchant, call, seedMerchant, startTestServer } from '../helpers/server.js';
import { tradeId } from '../helpers/client.js';
import { storeKinds } from '../helpers/stores.js';
import { PayloadReader } from '../../src/domain/fields.js';
import { OPEN_API_RESPONSES } from '../../src/protocol/responses.js';

type Operation = { summary: string; responses: Record<string, { content: Record<string, { schema: ResponseSchema }> }>; requestBody?: { content: Record<string, { schema: { properties: { payload: { contentSchema: PayloadSchema } } } }> } };
type PayloadSchema = { properties?: Record<string, { const?: string }>; required?: string[]; oneOf?: PayloadSchema[] };
type ResponseSchema = { oneOf?: ResponseSchema[]; allOf?: Array<{ properties?: { code?: { enum?: number[] } } }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const [sqlite] = storeKinds();

async function fetchDocument(url: string): Promise<Document> {
  const answer = await request(`${url}/api/openapi/v1/openapi.json`);
  assert.equal(answer.statusCode, 200);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  return (await answer.body.json()) as Document;
}

/** The decoded payload of an operation for one `method` (or its only form). */
function payloadOf(operation: Operation, method?: string): PayloadSchema {
  const schema = operation.requestBody!.content['application/json']!.schema.properties.payload.contentSchema;
  if (!schema.oneOf) return schema;
  return schema.oneOf.find((variant) => variant.properties?.method?.const === method)!;
}

describe('the OpenAPI document', { skip: sqlite!.skip }, () => {
  it('is served at /api/openapi/v1/openapi.json without Appid headers, and passes the OpenAPI 3.1 validator', async () => {
    const server = await startTestServer(sqlite!);
    try {
      const document = await fetchDocument(server.url);
      assert.equal(document.openapi, '3.1.0');
      const result = await new Validator().validate(document as never);
      assert.deepEqual(result.errors, undefined);
      assert.equal(result.valid, true);
    } finally {
      await server.close();
    }
  });

  it('lists every route the server answers and every answer shape the tests check, no more and no fewer', async () => {
    const server = await startTestServer(sqlite!);
    try {
      const document = await fetchDocument(server.url);
      const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((verb) => `${verb.toUpperCase()} ${path.replace('/api/openapi/v1', '').replace(/\{([a-z_]+)\}/g, ':$1')}`),
      );
      const shapes = OPEN_API_RESPONSES.map((shape) => `${shape.verb} ${shape.path}`);
      assert.deepEqual([...documented].sort(), [...shapes].sort());
      for (const entry of documented) {
        const [verb, url] = entry.split(' ') as ['POST' | 'PUT', string];
        assert.ok(server.app.hasRoute({ method: verb, url: `/api/openapi/v1${url}` }), `${entry} is a route of the server`);
      }
      for (const endpoint of ['POST /pickup_codes', 'PUT /pickup_codes', 'POST /consumes', 'POST /orders/:order_id', 'POST /deliveries', 'POST /callbacks/query']) {
        assert.ok(documented.includes(endpoint), `${endpoint} is documented`);
      }
    } finally {
      await server.close();
    }
  });

  it('describes each payload method with the fields its route reads: a create for one product needs product_id, a create for all does not; a cancel by ids needs ids', async () => {
    const server = await startTestServer(sqlite!);
    try {
      const document = await fetchDocument(server.url);
      const create = document.paths['/api/openapi/v1/pickup_codes']!.post!;
      const forProduct = payloadOf(create, 'pickup_code.product.id');
      assert.deepEqual(forProduct.required, ['method', 'timestamp', 'sign', 'machine_no', 'product_id']);
      assert.ok(forProduct.properties!.count && forProduct.properties!.expired_at && forProduct.properties!.nonce);
      const forAll = payloadOf(create, 'pickup_code.product.all');
      assert.equal(forAll.properties!.product_id, undefined);
      assert.equal(forAll.properties!.count, undefined);
      const cancelIds = payloadOf(document.paths['/api/openapi/v1/pickup_codes']!.put!, 'pickup_code.delete.ids');
      assert.ok(cancelIds.required!.includes('ids'));
      assert.equal(cancelIds.properties!.id, undefined);
      assert.equal(document.paths['/api/openapi/v1/ping']!.post!.requestBody, undefined, 'an unsigned route takes no payload');
    } finally {
      await server.close();
    }
  });
});

/** The error codes an operation lists, from the failure schema of each of its responses. */
function listedCodes(document: Document, verb: string, path: string): number[] {
  const operation = document.paths[`/api/openapi/v1${path}`]![verb.toLowerCase()]!;
  return Object.values(operation.responses).flatMap(({ content }) => {
    const schema = content['application/json']!.schema;
    const failure = schema.oneOf ? schema.oneOf[1] : schema;
    return failure?.allOf?.[1]?.properties?.code?.enum ?? [];
  });
}

describe('the error codes of each operation', { skip: sqlite!.skip }, () => {
  it('list every code a route really answers: each request below gets its code, and its operation lists it', async () => {
    const server = await startTestServer(sqlite!);
    try {
      const document = await fetchDocument(server.url);
      const merchant = await seedMerchant(server.store);
      const other = await seedMerchant(server.store);
      const as = asMerchant(server.url, merchant);
      const [machine] = merchant.machines;
      const machine_no = machine!.machine_no;
      const product_id = String(machine!.productIds[0]);
      const [code] = (await as('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id, count: '1' })).body.data.codes;
      const consume = { machine_no, method: 'event.consume.pickup_code', product_id, code: code.code, notify_url: 'https://merchant.example/n' };
      assert.equal((await as('/consumes', { ...consume, trade_id: tradeId() })).body.code, 0);
      const answered: Array<[verb: 'POST' | 'PUT', path: string, documented: string, send: () => Promise<{ status: number; body: { code: number } }>, expected: number]> = [
        ['POST', '/consumes', '/consumes', () => as('/consumes', { ...consume, trade_id: tradeId() }), 10025],
        ['POST', '/consumes', '/consumes', () => as('/consumes', { ...consume, code: '123456', trade_id: tradeId() }), 80002],
        ['POST', '/consumes', '/consumes', () => as('/consumes', { ...consume, machine_no: other.machines[0]!.machine_no, trade_id: tradeId() }), 30003],
        ['POST', '/consumes', '/consumes', () => as('/consumes', { ...consume, method: 'nothing' }), 10004],
        ['PUT', '/pickup_codes', '/pickup_codes', () => as('/pickup_codes', { machine_no, method: 'pickup_code.delete.id', id: String(code.id) }, 'PUT'), 10025],
        ['POST', '/pickup_codes', '/pickup_codes', () => as('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id: '999999' }), 60001],
        ['POST', `/products/999999/pickup_code`, '/products/{product_id}/pickup_code', () => as('/products/999999/pickup_code', { machine_no }), 60001],
        ['POST', '/orders/999999', '/orders/{order_id}', () => as('/orders/999999', { machine_no }), 80002],
        ['POST', '/deliveries', '/deliveries', () => as('/deliveries', { machine_no, method: 'device.delivery.put', order_id: '999999', record_id: '1' }), 80002],
        ['POST', `/rent/machines/${other.machines[0]!.machine_no}`, '/rent/machines/{machine_no}', () => as(`/rent/machines/${other.machines[0]!.machine_no}`, undefined), 30003],
        ['POST', '/ping', '/ping', () => call(server.url, '/ping', { appid: merchant.appid, secret: 'wrong' }), 10013],
        ['POST', '/products', '/products', () => call(server.url, '/products', { appid: merchant.appid, secret: merchant.app_secret, rawBody: '{"payload": 1}' }), 400],
      ];
      for (const [verb, path, documented, send, expected] of answered) {
        const answer = await send();
        assert.equal(answer.body.code, expected, `${verb} ${path} answers ${expected}`);
        assert.ok(listedCodes(document, verb, documented).includes(expected), `${verb} ${documented} lists ${expected}, which it answered`);
      }
    } finally {
      await server.close();
    }
  });

  it('list no code the route cannot answer: /ping names no machine, no field, no record', async () => {
    const server = await startTestServer(sqlite!);
    try {
      const ping = listedCodes(await fetchDocument(server.url), 'POST', '/ping');
      for (const code of [10001, 10003, 10004, 30003, 80002]) assert.ok(!ping.includes(code), `/ping does not list ${code}`);
      assert.ok(ping.includes(10014) && ping.includes(10013), 'it lists the authentication codes');
    } finally {
      await server.close();
    }
  });
});

describe('declared payload fields', () => {
  it('a route reading a payload field it did not declare fails, so the document cannot leave a read field out', () => {
    const reader = new PayloadReader({ machine_no: '12345678', count: '2' }, new Set(['machine_no']));
    assert.equal(reader.machineNo(), '12345678');
    assert.throws(() => reader.optionalText('count'), /does not declare/);
    assert.equal(new PayloadReader({ count: '2' }).optionalText('count'), '2');
  });
});

describe('the reference page', needs('chromium'), () => {
  it('/api/openapi/v1/docs renders every operation in Chromium, fetching nothing but from the server itself', async () => {
    const server = await startTestServer(sqlite!);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      // Offline: any request leaving the server's origin is refused and remembered.
      await page.route('**/*', (route) => {
        if (route.request().url().startsWith(server.url)) return route.continue();
        elsewhere.push(route.request().url());
        return route.abort();
      });
      const response = await page.goto(`${server.url}/api/openapi/v1/docs`);
      assert.equal(response?.status(), 200);
      await page.waitForSelector('section#put_pickup_codes');
      assert.equal(await page.locator('section').count(), OPEN_API_RESPONSES.length);
      const cancel = await page.locator('section#put_pickup_codes').innerText();
      assert.match(cancel, /pickup_code\.delete\.ids/);
      assert.match(cancel, /machine_no/);
      assert.deepEqual(elsewhere, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
