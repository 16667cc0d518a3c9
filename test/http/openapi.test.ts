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
import { startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { PayloadReader } from '../../src/domain/fields.js';
import { OPEN_API_RESPONSES } from '../../src/protocol/responses.js';

type Operation = { summary: string; requestBody?: { content: Record<string, { schema: { properties: { payload: { contentSchema: PayloadSchema } } } }> } };
type PayloadSchema = { properties?: Record<string, { const?: string }>; required?: string[]; oneOf?: PayloadSchema[] };
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
