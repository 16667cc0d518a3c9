/**
 * What a newcomer's terminal shows after `npm start` (`vendcloud serve --demo`): the banner
 * with the console's URL and the credentials, then one log line per request: readable on a
 * terminal, JSON lines in a pipe or when LOG_FORMAT=json asks for them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from '../helpers/node-test.js';
import { logFormat } from '../../src/log-format.js';
import { startCli, vendcloud } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vendcloud-serve-'));

/** Starts the demo, makes one refused API call, and returns everything it printed. */
async function demoRun(env: Record<string, string>) {
  const server = startCli(['serve', '--demo', '--no-mqtt', '--port', '0', '--db', join(dir, `${Object.values(env).join('-') || 'default'}.sqlite`)], /AppSecret\s+\S+[\s\S]*\n\n$/, env);
  const banner = await server.started;
  const consoleUrl = /Console\s+(http:\/\/\S+)/.exec(banner)?.[1];
  assert.ok(consoleUrl, `the banner names the console: ${banner}`);
  const secret = /AppSecret\s+(\S+)/.exec(banner)![1]!;
  const page = await fetch(consoleUrl);
  const ping = await fetch(new URL('/api/openapi/v1/ping', consoleUrl), { method: 'POST', headers: { Appid: 'dsunknown', AppSecret: secret } });
  await Promise.all([page.text(), ping.text()]);
  // The log line is written after the answer: give the process a moment before stopping it.
  for (let wait = 0; wait < 50 && !/ping/.test(server.output().stdout.slice(banner.length)); wait++) await new Promise((resolve) => setTimeout(resolve, 20));
  await server.stop();
  return { banner, page, secret, log: server.output().stdout.slice(banner.length) };
}

describe('vendcloud serve --demo on a terminal and in a pipe', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('LOG_FORMAT=json: the banner gives the console URL (the page, with its CSP), then one JSON object per request, without the secret', async () => {
    const { banner, page, log, secret } = await demoRun({ LOG_FORMAT: 'json' });
    assert.match(banner, /Console\s+http:\/\/127\.0\.0\.1:\d+\/console\/[\s\S]*merchant_id\s+1[\s\S]*Appid\s+ds[0-9a-f]{16}/);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const records = log
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; url?: string; code?: number });
    const ping = records.find((record) => record.url === '/api/openapi/v1/ping');
    assert.equal(ping?.msg, 'request');
    assert.equal(ping?.code, 10014);
    assert.ok(!log.includes(secret));
  });

  it('LOG_FORMAT=pretty: a readable line per request (time, level, verb, path, status, code)', async () => {
    const { log, secret } = await demoRun({ LOG_FORMAT: 'pretty' });
    assert.match(log, /\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request POST \/api\/openapi\/v1\/ping → 401 code 10014 [\d.]+ ms \([0-9a-f-]{36}\)/);
    assert.ok(!log.split('\n').some((line) => line.startsWith('{')), 'no JSON line');
    assert.ok(!log.includes(secret));
  });

  it('without LOG_FORMAT a terminal gets readable lines and anything else JSON; another value is refused', async () => {
    assert.equal(logFormat(undefined, true), 'pretty');
    assert.equal(logFormat(undefined, false), 'json');
    assert.equal(logFormat('json', true), 'json');
    const refused = await vendcloud(['serve', '--no-mqtt', '--port', '0', '--db', join(dir, 'refused.sqlite')], { LOG_FORMAT: 'xml' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /LOG_FORMAT must be json or pretty/);
  });
});
