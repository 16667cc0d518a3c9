/** GET /console: the built console's files, each with the security headers, on the API's port. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import Fastify from 'fastify';
import { request } from 'undici';
import { consolePlugin } from '../../src/http/console.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

describe('the console’s static files', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(storeKinds()[0]!, { timeZone: 'Europe/Berlin' });
  });
  after(() => server.close());

  const get = async (path: string) => {
    const answer = await request(`${server.url}${path}`);
    return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
  };

  it('/console redirects to /console/, whose page loads only its own hashed script and stylesheet', async () => {
    const bare = await get('/console');
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.location, '/console/');
    const page = await get('/console/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.doesNotMatch(page.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\bon[a-z]+=|style=/i, 'nothing inline');
    const assets = [...page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    assert.equal(assets.length, 2, page.body);
    for (const asset of assets) {
      const file = await get(asset);
      assert.equal(file.status, 200);
      assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
  });

  it('every answer under /console carries the strict CSP and the anti-framing, no-sniff and no-referrer headers', async () => {
    for (const path of ['/console/', '/console/config.json', '/console/assets/missing.js']) {
      const { headers } = await get(path);
      const csp = String(headers['content-security-policy']);
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"]) {
        assert.ok(csp.includes(directive), `${path}: ${directive} in ${csp}`);
      }
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.equal(headers['referrer-policy'], 'no-referrer');
    }
  });

  it('config.json tells the page the platform time zone; a missing file or a path out of the folder is the 404 envelope', async () => {
    const config = await get('/console/config.json');
    assert.deepEqual(JSON.parse(config.body), { time_zone: 'Europe/Berlin' });
    for (const path of ['/console/assets/missing.js', '/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json']) {
      const answer = await get(path);
      assert.equal(answer.status, 404, path);
      assert.deepEqual(JSON.parse(answer.body), { code: 404, message: 'Not Found', data: {} });
    }
  });

  it('an unbuilt console answers 503 saying how to build it, instead of failing the server', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vendcloud-no-console-'));
    const app = Fastify();
    try {
      await app.register(consolePlugin, { prefix: '/console', timeZone: 'Asia/Shanghai', root: empty });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const answer = await request(`${url}/console/`);
      assert.equal(answer.statusCode, 503);
      assert.match(await answer.body.text(), /npm run build/);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
