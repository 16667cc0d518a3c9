/**
 * The front door under property-based fuzzing (issue 12, item 4): signed payloads with
 * hostile field values, payloads encoded every wrong way, and whole requests built byte by
 * byte (verbs, paths, headers, bodies). Whatever arrives, the answer is a documented
 * envelope with a documented code, never a 5xx, and a refused request leaves every row of
 * the store as it was. Fixed seed and number of runs (VENDCLOUD_FUZZ_SEED and
 * VENDCLOUD_FUZZ_RUNS change them for a longer hunt); each property reports its case count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from '../helpers/node-test.js';
import fc from 'fast-check';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { ERROR_CATALOGUE, isBusinessFailure, type ErrorCode } from '../../src/protocol/errors.js';
import { computeSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { envelopeProblem } from '../helpers/envelope.js';
import { storeFingerprint, without } from '../helpers/fingerprint.js';
import { rawRequest, requestBytes, type RawAnswer, type RawRequest } from '../helpers/raw-http.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { deepJson, encodingCase, fieldCase, requestCase, type EncodingCase, type FieldCase, type RequestCase } from './front-door-arbitraries.js';

const SEED = Number(process.env.VENDCLOUD_FUZZ_SEED ?? 20_260_412);
const RUNS = Number(process.env.VENDCLOUD_FUZZ_RUNS ?? 250);
/** A request left hanging fails its property instead of stalling CI. */
const TEST_TIMEOUT_MS = 240_000;

interface Endpoint {
  verb: 'POST' | 'PUT';
  path: string;
  fields: Record<string, string>;
}

/** Every signed endpoint with fields that would succeed: the fuzzer changes them from there. */
function signedEndpoints(merchant: MerchantFixture, code: { id: number; code: string }): Endpoint[] {
  const machine = merchant.machines[0]!;
  const machine_no = machine.machine_no;
  const product_id = String(machine.productIds[0]);
  return [
    { verb: 'POST', path: '/products', fields: { machine_no, page: '1', per_page: '10', category_id: '0', cabinet_name: 'A', select_all: '0' } },
    { verb: 'POST', path: '/pickup_codes', fields: { machine_no, method: 'pickup_code.product.id', product_id, count: '1', code_length: '6', expired_at: '2099-01-01 00:00:00' } },
    { verb: 'POST', path: '/pickup_codes', fields: { machine_no, method: 'pickup_code.product.all' } },
    { verb: 'POST', path: `/products/${product_id}/pickup_code`, fields: { machine_no } },
    { verb: 'POST', path: '/pickup_codes/query', fields: { machine_no, product_id, status: 'ALL', page: '1', per_page: '10' } },
    { verb: 'PUT', path: '/pickup_codes', fields: { machine_no, method: 'pickup_code.delete.id', id: String(code.id) } },
    { verb: 'PUT', path: '/pickup_codes', fields: { machine_no, method: 'pickup_code.delete.all' } },
    {
      verb: 'POST',
      path: '/consumes',
      fields: { machine_no, method: 'event.consume.pickup_code', code: code.code, product_id, trade_id: 'FUZZTRADE0000000000000001', notify_url: 'https://merchant.example/notify' },
    },
    { verb: 'POST', path: '/orders/1', fields: { machine_no } },
    { verb: 'POST', path: '/deliveries', fields: { machine_no, method: 'device.delivery.put', order_id: '1', record_id: '1' } },
    { verb: 'POST', path: '/deliveries/debug', fields: { machine_no, method: 'device.delivery.put', channel_name: 'A1', notify_url: 'https://merchant.example/debug' } },
    { verb: 'POST', path: '/deliveries/1', fields: { machine_no } },
  ];
}

/** A JSON object text from entries, so that names such as `__proto__` stay plain keys. */
function objectText(entries: Array<[string, unknown]>): string {
  return `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`;
}

/** The entries of a payload after the changes, signed as the case says with the merchant's key. */
function signedEntries(fields: Record<string, string>, testCase: Pick<FieldCase, 'changes' | 'signing'>, key: string): Array<[string, unknown]> {
  const payload = new Map<string, unknown>([...Object.entries(fields), ['timestamp', String(nowSeconds())]]);
  for (const [name, value] of testCase.changes) {
    if (value === undefined) payload.delete(name);
    else payload.set(name, value);
  }
  if (testCase.signing === 'stale') payload.set('timestamp', String(nowSeconds() - 100_000));
  // The server signs numbers as their decimal text; other kinds of value cannot be signed.
  const signable: Record<string, string> = {};
  for (const [name, value] of payload) {
    if (name !== 'sign' && (typeof value === 'string' || typeof value === 'number')) Object.defineProperty(signable, name, { value: String(value), enumerable: true });
  }
  const sign = computeSign(signable, key);
  payload.delete('sign');
  if (testCase.signing !== 'missing') {
    const wrong = `${sign[0] === 'A' ? 'B' : 'A'}${sign.slice(1)}`;
    payload.set('sign', testCase.signing === 'lowercase' ? sign.toLowerCase() : testCase.signing === 'wrong' ? wrong : sign);
  }
  return [...payload];
}

function insertAt(text: string, at: number, insert: string): string {
  const index = Math.floor(at * text.length);
  return text.slice(0, index) + insert + text.slice(index);
}

function jsonBytes(entries: Array<[string, unknown]>, testCase: EncodingCase): Buffer {
  const text = objectText(entries);
  const utf8 = (value: string) => Buffer.from(value, 'utf8');
  switch (testCase.json) {
    case 'as is':
      return utf8(text);
    case 'pretty':
      return utf8(JSON.stringify(JSON.parse(text), null, 2));
    case 'bom':
      return utf8(`\ufeff${text}`);
    case 'trailing garbage':
      return utf8(`${text}x`);
    case 'truncated':
      return utf8(text.slice(0, Math.floor(testCase.at * text.length)));
    case 'array':
      return utf8(`[${text}]`);
    case 'string':
      return utf8(JSON.stringify(text));
    case 'number':
      return utf8('12345678');
    case 'null':
      return utf8('null');
    case 'duplicate keys':
      return utf8(text.replace('{', '{"machine_no":"00000000","timestamp":"1",'));
    case 'deep':
      return utf8(text.replace('{', `{"deep":${deepJson(testCase.depth, testCase.at < 0.5 ? 'array' : 'object')},`));
    case 'latin1 bytes':
      return Buffer.from(text.replace('{', '{"note":"é取",'), 'latin1');
    case 'utf16':
      return Buffer.from(text, 'utf16le');
  }
}

function base64Text(bytes: Buffer, testCase: EncodingCase): string {
  const standard = bytes.toString('base64');
  const unpadded = standard.replace(/=+$/, '');
  switch (testCase.base64) {
    case 'standard':
      return standard;
    case 'url-safe':
      return bytes.toString('base64url');
    case 'unpadded':
      return unpadded;
    case 'wrapped':
      return standard.replace(/.{76}/g, '$&\n');
    case 'spaced':
      return insertAt(standard, testCase.at, ' \t ');
    case 'stray character':
      return insertAt(standard, testCase.at, ['*', '.', '%', '!', 'é', '\u0000'][Math.floor(testCase.at * 6)] ?? '*');
    case 'one too many':
      return unpadded + 'A'.repeat((((1 - unpadded.length) % 4) + 4) % 4);
    case 'twice':
      return Buffer.from(standard).toString('base64');
    case 'percent-encoded':
      return encodeURIComponent(standard);
    case 'lowercased':
      return standard.toLowerCase();
    case 'cut':
      return standard.slice(0, Math.floor(testCase.at * standard.length));
    case 'empty':
      return '';
  }
}

/** Header values travel on one line: a CR or LF would only split the test's own request. */
const oneLine = (value: string) => value.replace(/[\r\n]/g, ' ');

function credentialHeaders(merchant: MerchantFixture, testCase: Pick<RequestCase, 'appid' | 'appSecret' | 'credentialValue'>): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const [name, how, valid] of [
    ['Appid', testCase.appid, merchant.appid],
    ['AppSecret', testCase.appSecret, merchant.app_secret],
  ] as const) {
    if (how === 'valid') headers.push([name, valid]);
    else if (how === 'empty') headers.push([name, '']);
    else if (how === 'other value') headers.push([name, oneLine(testCase.credentialValue)]);
    else if (how === 'repeated') headers.push([name, valid], [name, oneLine(testCase.credentialValue)]);
  }
  return headers;
}

for (const kind of storeKinds()) {
  describe(`the front door under fuzzing [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let endpoints: Endpoint[];
    let total = 0;

    before(async () => {
      server = await startTestServer(kind, { rateLimitPerMinute: 0 });
      merchant = await seedMerchant(server.store, { products: 2, capacity: 50 });
      const machine = merchant.machines[0]!;
      const made = await asMerchant(server.url, merchant)('/pickup_codes', {
        machine_no: machine.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(machine.productIds[0]),
        count: '3',
      });
      assert.equal(made.body.code, 0, JSON.stringify(made.body));
      endpoints = signedEndpoints(merchant, made.body.data.codes[0]);
    });
    after(async () => {
      await server.close();
      process.stdout.write(`fuzz [${kind.name}]: ${total} cases, seed ${SEED}\n`);
    });

    /** Sends one case; the answer must be a documented envelope, and a refusal must write nothing. */
    async function probe(request: RawRequest): Promise<RawAnswer> {
      const before = await storeFingerprint(server.store);
      const answer = await rawRequest(server.url, requestBytes(request));
      total++;
      const where = `${request.method} ${request.target.slice(0, 200)}`;
      assert.equal(envelopeProblem(answer), undefined, where);
      assert.ok(answer.status < 500, `${where}: HTTP ${answer.status}`);
      const { code } = JSON.parse(answer.body) as { code: ErrorCode };
      if (code !== 0) {
        const after = await storeFingerprint(server.store);
        // A business refusal under an idempotency key is kept for the key's retries; nothing else moves.
        const kept = isBusinessFailure(code) ? ['answered_requests'] : [];
        assert.deepEqual(without(after, ...kept), without(before, ...kept), `${where}: refused with ${code} (${ERROR_CATALOGUE[code].message}) yet wrote`);
      }
      return answer;
    }

    async function fuzz<T>(t: TestContext, arbitrary: fc.Arbitrary<T>, send: (value: T) => RawRequest): Promise<void> {
      const start = total;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          await probe(send(value));
        }),
        { seed: SEED, numRuns: RUNS },
      );
      t.diagnostic(`${total - start} cases`);
    }

    const signedRequest = (endpoint: Endpoint, body: string, headers: Array<[string, string]> = [], query = ''): RawRequest => ({
      method: endpoint.verb,
      target: `${API_PREFIX}${endpoint.path}${query}`,
      headers: [['Appid', merchant.appid], ['AppSecret', merchant.app_secret], ...headers],
      body,
    });

    it('hostile field values in every signed endpoint (any code point, control characters, huge, numbers, nested and deep JSON, any field name) get a documented answer and write nothing when refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      await fuzz(t, fieldCase(endpoints.length), (testCase) => {
        const endpoint = endpoints[testCase.endpoint]!;
        const payload = Buffer.from(objectText(signedEntries(endpoint.fields, testCase, String(merchant.merchant_id))), 'utf8').toString('base64');
        const key: Array<[string, string]> = testCase.idempotencyKey === undefined ? [] : [['Idempotency-Key', testCase.idempotencyKey]];
        return signedRequest(endpoint, JSON.stringify({ payload }), key);
      });
    });

    it('payloads encoded every wrong way (JSON forms, base64 variants, carriers) get a documented answer and write nothing when refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      await fuzz(t, encodingCase(endpoints.length), (testCase) => {
        const endpoint = endpoints[testCase.endpoint]!;
        const entries = signedEntries(endpoint.fields, { changes: [['nonce', `n${testCase.at}`]], signing: 'valid' }, String(merchant.merchant_id));
        const payload = base64Text(jsonBytes(entries, testCase), testCase);
        switch (testCase.carrier) {
          case 'json':
            return signedRequest(endpoint, JSON.stringify({ payload }));
          case 'json as text/plain':
            return signedRequest(endpoint, JSON.stringify({ payload }), [['Content-Type', 'text/plain']]);
          case 'form':
            return signedRequest(endpoint, `payload=${encodeURIComponent(payload)}`, [['Content-Type', 'application/x-www-form-urlencoded']]);
          case 'query':
            return { ...signedRequest(endpoint, '', [], `?payload=${encodeURIComponent(payload)}`), body: undefined };
          case 'json with payload number':
            return signedRequest(endpoint, '{"payload":12345678}');
        }
      });
    });

    it('whole requests made byte by byte (verbs, paths, query strings, credentials, content types, headers, bodies up to past the limit) get a documented answer and write nothing when refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const paths = ['/ping', '/rent/machines', `/rent/machines/${merchant.machines[0]!.machine_no}`, ...new Set(endpoints.map((endpoint) => endpoint.path))];
      await fuzz(t, requestCase(paths), (testCase) => {
        const headers = credentialHeaders(merchant, testCase);
        if (testCase.contentType !== undefined) headers.push(['Content-Type', oneLine(testCase.contentType)]);
        for (const [name, value] of testCase.extraHeaders) headers.push([name, oneLine(value)]);
        const body = testCase.body.kind === 'none' ? undefined : testCase.body.kind === 'bytes' ? Buffer.from(testCase.body.bytes) : testCase.body.text;
        return { method: testCase.verb, target: `${API_PREFIX}${testCase.path}${testCase.query}`, headers, ...(body !== undefined ? { body } : {}) };
      });
    });
  });
}
