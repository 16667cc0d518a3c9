/**
 * The limits at the HTTP door: an Appid's quota is charged only once its secret matched, and
 * failed authentications are limited per client address on their own (X-Forwarded-For only
 * from a trusted proxy), shared by every instance through Redis.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { call, seedMerchant, startTestServer, type ApiAnswer } from '../helpers/server.js';
import { needs, SHARED_REDIS_URL } from '../helpers/components.js';
import { storeKinds } from '../helpers/stores.js';


function assertTooMany(answer: ApiAnswer): void {
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.body, { code: 429, message: 'Too Many Requests', data: {} });
  const retryAfter = Number(answer.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${answer.headers['retry-after']}`);
}

for (const kind of storeKinds()) {
  describe(`authentication limits (${kind.name})`, { skip: kind.skip }, () => {
    it("12 wrong secrets do not spend a merchant's limit of 8 a minute", async () => {
      const server = await startTestServer(kind, { rateLimitPerMinute: 8 });
      try {
        const merchant = await seedMerchant(server.store);
        for (let i = 0; i < 12; i++) {
          assert.equal((await call(server.url, '/ping', { appid: merchant.appid, secret: `wrong-${i}` })).body.code, 10013);
        }
        const right = [];
        for (let i = 0; i < 9; i++) right.push(await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret }));
        assert.deepEqual(right.slice(0, 8).map((a) => a.body.code), Array(8).fill(0));
        assertTooMany(right[8]!);
      } finally {
        await server.close();
      }
    });

    it('an address past its failed authentications is refused before its credentials are checked; other addresses are not', async () => {
      const server = await startTestServer(kind, { failedAuthPerMinute: 5, trustProxy: '127.0.0.1' });
      try {
        const merchant = await seedMerchant(server.store);
        const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
        const codes = [];
        for (let i = 0; i < 5; i++) codes.push((await call(server.url, '/ping', { appid: `ds${i}unknown`, secret: 'x', ...from('203.0.113.7') })).body.code);
        for (let i = 0; i < 5; i++) codes.push((await call(server.url, '/ping', { appid: merchant.appid, secret: 'wrong', ...from('203.0.113.8') })).body.code);
        assert.deepEqual(codes, [10014, 10014, 10014, 10014, 10014, 10013, 10013, 10013, 10013, 10013]);
        assertTooMany(await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret, ...from('203.0.113.7') }));
        assertTooMany(await call(server.url, '/ping', { appid: merchant.appid, secret: 'wrong', ...from('203.0.113.8') }));
        assert.equal((await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret, ...from('203.0.113.9') })).body.code, 0);
      } finally {
        await server.close();
      }
    });

    it('without --trust-proxy, X-Forwarded-For does not choose the address that is counted', async () => {
      const server = await startTestServer(kind, { failedAuthPerMinute: 2 });
      try {
        const merchant = await seedMerchant(server.store);
        for (let i = 0; i < 2; i++) await call(server.url, '/ping', { appid: merchant.appid, secret: 'wrong', headers: { 'X-Forwarded-For': `198.51.100.${i}` } });
        assertTooMany(await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret, headers: { 'X-Forwarded-For': '198.51.100.99' } }));
      } finally {
        await server.close();
      }
    });
  });
}

describe('failed authentications across instances (Redis)', needs('redis'), () => {
  it('two instances on one Redis count an address together', async () => {
    const kind = storeKinds()[0]!;
    const location = await kind.fresh();
    const config = { merchantCacheSeconds: 0, failedAuthPerMinute: 4, trustProxy: '127.0.0.1', redisUrl: SHARED_REDIS_URL, redisKeyPrefix: `vendcloud-test:${process.pid}:${Math.random().toString(36).slice(2)}:` };
    const start = () => startServer({ db: location.db, port: 0, store: location.options, logger: false, config });
    const instances: RunningServer[] = [await start(), await start()];
    try {
      const merchant = await seedMerchant(instances[0]!.store);
      const address = { 'X-Forwarded-For': '192.0.2.44' };
      for (let i = 0; i < 4; i++) {
        const answer = await call(instances[i % 2]!.url, '/ping', { appid: merchant.appid, secret: 'wrong', headers: address });
        assert.equal(answer.body.code, 10013);
      }
      assertTooMany(await call(instances[0]!.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret, headers: address }));
      assertTooMany(await call(instances[1]!.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret, headers: address }));
    } finally {
      for (const instance of instances) await instance.close();
      await location.cleanup();
    }
  });
});
