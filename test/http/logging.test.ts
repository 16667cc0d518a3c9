/** The request log: one JSON line per request, with its id, and never a secret. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from '../helpers/node-test.js';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { encodeSignedPayload } from '../../src/protocol/payload.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { createMachine, createMerchant } from '../../src/service/admin.js';
import { startServer } from '../../src/server.js';
import { call } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

describe('request log', () => {
  it('writes exactly one JSON line per request, with the request id and the signing form, and never the AppSecret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const location = await storeKinds()[0]!.fresh();
    const server = await startServer({ db: location.db, port: 0, logger: pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger });
    try {
      const merchant = await createMerchant(server.store, { name: 'Logged' });
      await createMachine(server.store, { merchantId: merchant.merchant_id, machineNo: '40000001', pickupCodes: true });
      lines.length = 0;
      const answers = [
        await call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret }),
        await call(server.url, '/ping', { appid: merchant.appid, secret: `${merchant.app_secret}x` }),
        await call(server.url, '/products', {
          appid: merchant.appid,
          secret: merchant.app_secret,
          rawBody: JSON.stringify({ payload: encodeSignedPayload({ machine_no: '40000001', timestamp: String(nowSeconds()) }, String(merchant.merchant_id)) }),
        }),
        await call(server.url, '/nowhere', { appid: merchant.appid, secret: merchant.app_secret }),
      ];
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(lines.length, answers.length, lines.join('\n'));
      const records = lines.map((line) => JSON.parse(line));
      records.forEach((record, index) => {
        assert.equal(record.reqId, answers[index]!.headers['x-request-id']);
        assert.equal(record.status, answers[index]!.status);
        assert.equal(record.code, answers[index]!.body.code);
      });
      assert.deepEqual(records.map((r) => r.code), [0, 10013, 0, 404]);
      assert.deepEqual(records.map((r) => r.sign_form), [undefined, undefined, 'raw', undefined], 'the signed request logs the form its sign matched');
      for (const line of lines) {
        assert.ok(!line.includes(merchant.app_secret), 'no secret in the log');
        assert.ok(!/appsecret/i.test(line), 'no credential header in the log');
      }
    } finally {
      await server.close();
      await location.cleanup();
    }
  });
});
