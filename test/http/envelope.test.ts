/**
 * One envelope for every answer: whatever arrives — a URL that does not decode, an oversized
 * path parameter, broken HTTP framing, headers over the limit, a client too slow to finish,
 * a request during shutdown — the answer is `{code, message, data}` with a documented code
 * and a request id, nothing of the request echoed back, no framework's name, and the server
 * goes on serving.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from '../helpers/node-test.js';
import { request } from 'undici';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { ERROR_CATALOGUE } from '../../src/protocol/errors.js';
import { call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes on a fresh connection and reads every answer until the server closes it. */
function rawExchange(url: string, parts: string[], between?: () => Promise<void>): Promise<RawAnswer[]> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, async () => {
      socket.write(parts[0]!);
      for (const part of parts.slice(1)) {
        await between?.();
        socket.write(part);
      }
    });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswers(Buffer.from(received, 'latin1'))));
  });
}

function parseAnswers(bytes: Buffer): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    assert.ok(end > 0, `a whole HTTP head: ${rest.toString('latin1').slice(0, 200)}`);
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    assert.ok(Number.isInteger(length), 'a Content-Length');
    answers.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') });
    rest = rest.subarray(end + 4 + length);
  }
  return answers;
}

const documented = new Set(Object.keys(ERROR_CATALOGUE).map(Number));

/** The envelope with a documented code, its HTTP status, a request id, nothing echoed, no framework. */
function assertEnvelope(answer: { status: number; headers: Record<string, unknown>; body: string }, code: number, echoed: string[] = []): void {
  assert.equal(answer.status, ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].httpStatus, answer.body);
  const envelope = JSON.parse(answer.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(envelope), ['code', 'message', 'data']);
  assert.equal(envelope.code, code);
  assert.ok(documented.has(code));
  assert.deepEqual(envelope.data, {});
  assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.doesNotMatch(answer.body, /FST_|fastify|statusCode|"error"|Client Error|\bat .*:\d+/i);
  assert.doesNotMatch(answer.body, /[\u0000-\u001f]/);
  for (const text of echoed) assert.ok(!answer.body.includes(text), `${JSON.stringify(text)} is not echoed back`);
}

const kind = storeKinds()[0]!;

describe('one envelope for every answer', () => {
  let server: TestServer;
  let merchant: MerchantFixture;
  const credentials = () => ({ appid: merchant.appid, secret: merchant.app_secret });

  before(async () => {
    server = await startTestServer(kind);
    merchant = await seedMerchant(server.store);
  });
  after(() => server.close());

  async function assertStillServing(): Promise<void> {
    const ping = await call(server.url, '/ping', credentials());
    assert.deepEqual(ping.body, { code: 0, message: 'ok', data: 'pong' });
  }

  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  const malformed: Array<[string, string]> = [
    ['Content-Length together with chunked', head(['POST /api/openapi/v1/ping HTTP/1.1', 'Host: x', 'Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n'],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['an unknown verb', head(['BREW /api/openapi/v1/ping HTTP/1.1', 'Host: x'])],
    ['a control character in the path', head(['POST /api/openapi/v1/\u0001ping HTTP/1.1', 'Host: x'])],
    ['a Content-Length that is not a number', head(['POST /api/openapi/v1/ping HTTP/1.1', 'Host: x', 'Content-Length: abc'])],
    ['a header without a colon', head(['POST /api/openapi/v1/ping HTTP/1.1', 'Host: x', 'Appid ds0000'])],
  ];
  for (const [what, bytes] of malformed) {
    it(`answers malformed HTTP (${what}) with a whole 400 response holding the envelope, closes that connection, and keeps serving`, async () => {
      const [answer, ...more] = await rawExchange(server.url, [bytes]);
      assert.equal(more.length, 0);
      assertEnvelope(answer!, 400);
      assert.equal(answer!.headers.connection, 'close');
      await assertStillServing();
    });
  }

  it('answers headers over 16 KiB with 400 and the envelope, not Node\'s own body', async () => {
    const [answer] = await rawExchange(server.url, [head(['POST /api/openapi/v1/ping HTTP/1.1', 'Host: x', `X-Filler: ${'a'.repeat(17 * 1024)}`])]);
    assertEnvelope(answer!, 400, ['aaaa']);
    assert.match(JSON.parse(answer!.body).message, /headers too large/);
    await assertStillServing();
  });

  it('answers a URL that does not decode with 400 and the envelope, never echoing the path', async () => {
    const answer = await request(`${server.url}${API_PREFIX}/%C0%AF/pickup_code`, { method: 'POST' });
    assertEnvelope({ status: answer.statusCode, headers: answer.headers, body: await answer.body.text() }, 400, ['%C0', 'pickup_code']);
    await assertStillServing();
  });

  it('answers a 150-digit machine number with control characters in the path as the invalid field it is (10001), never echoing it', async () => {
    const machineNo = `${'1'.repeat(150)}%01%1B`;
    const answer = await request(`${server.url}${API_PREFIX}/rent/machines/${machineNo}`, { method: 'POST', headers: { appid: merchant.appid, appsecret: merchant.app_secret } });
    const body = await answer.body.text();
    assertEnvelope({ status: answer.statusCode, headers: answer.headers, body }, 10001, ['1111111111']);
    assert.match(JSON.parse(body).message, /machine_no/);
    await assertStillServing();
  });

  it('answers an unknown route and a wrong verb with the envelope and a request id', async () => {
    for (const [method, path, code] of [['POST', '/api/openapi/v2/ping', 404], ['GET', '/nothing/here', 404], ['DELETE', `${API_PREFIX}/pickup_codes`, 405], ['OPTIONS', `${API_PREFIX}/ping`, 405]] as const) {
      const answer = await request(`${server.url}${path}`, { method });
      assertEnvelope({ status: answer.statusCode, headers: answer.headers, body: await answer.body.text() }, code);
    }
  });

  it('answers bodies of any media type, and JSON that does not parse, with the envelope (400)', async () => {
    const productQuery = `/products/${merchant.machines[0]!.productIds[0]}/pickup_code`;
    for (const [contentType, body] of [
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="payload"\r\n\r\nabc\r\n--x--'],
      ['application/json', '{"payload": '],
      ['application/json; charset=utf-16', '{}'],
      [';;;', '<xml/>'],
    ]) {
      const answer = await request(`${server.url}${API_PREFIX}${productQuery}`, {
        method: 'POST',
        headers: { appid: merchant.appid, appsecret: merchant.app_secret, 'content-type': contentType! },
        body,
      });
      assertEnvelope({ status: answer.statusCode, headers: answer.headers, body: await answer.body.text() }, 400, ['xml', 'form-data']);
    }
    await assertStillServing();
  });
});

describe('one envelope for every answer: timeouts and shutdown', () => {
  it('answers a client that does not finish its request in time with 408 and the envelope, and closes the connection', async () => {
    const server = await startTestServer(kind, { requestTimeoutMs: 300 });
    try {
      const [answer] = await rawExchange(server.url, ['POST /api/openapi/v1/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab']);
      assertEnvelope(answer!, 408);
      assert.equal(answer!.headers.connection, 'close');
      const merchant = await seedMerchant(server.store);
      assert.equal((await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret })).body.code, 0);
    } finally {
      await server.close();
    }
  });

  it('answers a request that arrives during shutdown with 503 and the envelope', async () => {
    const server = await startTestServer(kind);
    const merchant = await seedMerchant(server.store);
    const ping = `POST /api/openapi/v1/ping HTTP/1.1\r\nHost: x\r\nAppid: ${merchant.appid}\r\nAppSecret: ${merchant.app_secret}\r\nContent-Length: 2\r\n\r\n`;
    let closed: Promise<void> | undefined;
    try {
      // The first request is under way (its body not all sent) when shutdown begins; the
      // second arrives on the same connection after that.
      const firstArrived = once(server.app.server, 'request');
      const answers = await rawExchange(server.url, [`${ping}{`, `}${ping}{}`], async () => {
        await firstArrived;
        closed = server.close();
        while (server.app.server.listening) await new Promise((resolve) => setImmediate(resolve));
      });
      assert.equal(answers.length, 2, JSON.stringify(answers));
      assert.equal(JSON.parse(answers[0]!.body).data, 'pong', 'the request under way is finished');
      assertEnvelope(answers[1]!, 503);
    } finally {
      await (closed ?? server.close());
    }
  });
});
