/**
 * The per-Appid rate limit across instances: with one Redis, several instances hold an
 * Appid to the limit together; 429 answers carry the envelope and Retry-After; a Redis
 * outage lets requests through (and says so in the log) rather than refusing them.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from '../helpers/node-test.js';
import { needs, SHARED_REDIS_URL } from '../helpers/components.js';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { ServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { call, closedPort, seedMerchant, type MerchantFixture } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** The machine's shared Redis (CI runs one); each test counts under keys of its own. */
const SHARED_REDIS = SHARED_REDIS_URL;
const kind = storeKinds()[0]!;

function uniquePrefix(): string {
  return `vendcloud-test:${process.pid}:${Math.random().toString(36).slice(2)}:`;
}

/** Two instances of the service on one database, as behind a load balancer. */
async function twoInstances(config: Partial<ServerConfig>, logger: FastifyBaseLogger | false = false) {
  const location = await kind.fresh();
  const start = () => startServer({ db: location.db, port: 0, store: location.options, logger, config: { merchantCacheSeconds: 0, ...config } });
  const instances: RunningServer[] = [await start(), await start()];
  return {
    instances,
    async close() {
      for (const instance of instances) await instance.close();
      await location.cleanup();
    },
  };
}

const ping = (server: RunningServer, merchant: MerchantFixture) => call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret });

/** Pings sent in turn to each instance; the envelope codes, in order. */
async function pingsSpread(instances: RunningServer[], merchant: MerchantFixture, count: number) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await ping(instances[i % instances.length]!, merchant));
  return answers;
}

/** A log that keeps its lines, to read what the server said. */
function capturedLog(): { logger: FastifyBaseLogger; lines: Array<{ msg: string; level: number }> } {
  const lines: Array<{ msg: string; level: number }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger, lines };
}

/** A Redis server of the test's own, on a free port, so it can be stopped. */
async function ownRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    if (output.includes('Ready to accept connections')) return child;
  }
  throw new Error(`redis-server did not start: ${output}`);
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('rate limit across instances (extension)', needs('redis'), () => {
  it('two instances on one Redis hold an Appid to the limit together: 429 with the envelope and Retry-After past it', async () => {
    const { instances, close } = await twoInstances({ rateLimitPerMinute: 6, redisUrl: SHARED_REDIS, redisKeyPrefix: uniquePrefix() });
    try {
      const busy = await seedMerchant(instances[0]!.store);
      const calm = await seedMerchant(instances[0]!.store);
      const answers = await pingsSpread(instances, busy, 10);
      assert.deepEqual(
        answers.map((a) => a.body.code),
        [0, 0, 0, 0, 0, 0, 429, 429, 429, 429],
      );
      const refused = answers[9]!;
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, { code: 429, message: 'Too Many Requests', data: {} });
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers['retry-after']}`);
      assert.match(String(refused.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal((await ping(instances[1]!, calm)).body.code, 0, 'another Appid has its own count');
    } finally {
      await close();
    }
  });

  it('without Redis each instance counts on its own', async () => {
    const { instances, close } = await twoInstances({ rateLimitPerMinute: 3 });
    try {
      const merchant = await seedMerchant(instances[0]!.store);
      const answers = await pingsSpread(instances, merchant, 8);
      assert.deepEqual(
        answers.map((a) => a.body.code),
        [0, 0, 0, 0, 0, 0, 429, 429],
      );
    } finally {
      await close();
    }
  });

  it('with Redis down, requests are served uncounted and the log says so once; once Redis is back, the shared limit holds again', async () => {
    const port = await closedPort();
    let redis = await ownRedis(port);
    const { logger, lines } = capturedLog();
    const { instances, close } = await twoInstances({ rateLimitPerMinute: 3, redisUrl: `redis://127.0.0.1:${port}`, redisKeyPrefix: uniquePrefix() }, logger);
    const said = (text: string) => lines.filter((line) => line.msg.includes(text)).length;
    try {
      await until(() => said('counting in Redis') === 2);
      const merchant = await seedMerchant(instances[0]!.store);
      assert.deepEqual((await pingsSpread(instances, merchant, 4)).map((a) => a.body.code), [0, 0, 0, 429]);

      await stopRedis(redis);
      await until(() => said('Redis unreachable') === 2);
      const during = await pingsSpread(instances, merchant, 6);
      assert.deepEqual(
        during.map((a) => [a.status, a.body.code]),
        Array(6).fill([200, 0]),
      );
      assert.equal(said('Redis unreachable'), 2, 'one line per instance for the whole outage, not one per request');

      redis = await ownRedis(port);
      await until(() => said('counting in Redis') === 4);
      // The new Redis starts empty: a fresh count, shared again.
      assert.deepEqual((await pingsSpread(instances, merchant, 4)).map((a) => a.body.code), [0, 0, 0, 429]);
    } finally {
      await close();
      await stopRedis(redis);
    }
  });
});
