/**
 * What the callback sender tells the operator about each attempt (src/callbacks/sender.ts):
 * a delivery logged as delivered with the callback's identity and the answer's status, a
 * failure as a warning with the error and what becomes of the callback.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, it } from '../helpers/node-test.js';
import { startCallbackSender, type CallbackSender } from '../../src/callbacks/sender.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import { Receiver } from '../helpers/receiver.js';
import { seedMerchant } from '../helpers/server.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

interface Line {
  level: 'info' | 'warn';
  details: Record<string, unknown>;
  message: string;
}

for (const kind of storeKinds()) {
  describe(`the sender's log of each attempt [${kind.name}]`, { skip: kind.skip }, () => {
    let receiver: Receiver;
    before(async () => {
      receiver = await Receiver.start();
    });
    after(() => receiver.close());

    /** Queues one delivery-result callback to `path`, runs the sender until idle, returns its log. */
    const sendOnce = (path: string, options: { allowPrivate: boolean } = { allowPrivate: true }, base = receiver.url) =>
      withFreshStore(kind, async (store) => {
        const merchant = await seedMerchant(store, { products: 1 });
        const now = nowSeconds();
        await store.write({ actor: 'test', requestId: null, at: now }, (work) =>
          queueDeliveryResult(work, {
            merchantId: merchant.merchant_id,
            notifyUrl: `${base}${path}`,
            deliveryId: 1,
            orderId: 11,
            recordId: 12,
            deliverStatus: 1,
            floorStatus: 1,
            errorMsg: '',
          }),
        );
        const lines: Line[] = [];
        const logger = {
          info: (details: object, message: string) => lines.push({ level: 'info', details: details as Record<string, unknown>, message }),
          warn: (details: object, message: string) => lines.push({ level: 'warn', details: details as Record<string, unknown>, message }),
        };
        const sender: CallbackSender = startCallbackSender(store, { ...options, pollIntervalMs: 600_000, timeoutMs: 2000, leaseSeconds: 60, concurrency: 4, clock: () => now }, logger);
        await sender.idle();
        await sender.stop();
        return lines;
      });

    it('a delivered callback is logged once, as delivered, with its id, event, type, attempt 1 and HTTP status', async () => {
      receiver.status = 200;
      const lines = await sendOnce('/log-ok');
      assert.equal(receiver.on('/log-ok').length, 1);
      assert.equal(lines.length, 1);
      const [line] = lines;
      assert.equal(line!.level, 'info');
      assert.equal(line!.message, 'callback delivered');
      assert.equal(typeof line!.details.callback_id, 'number');
      assert.equal(typeof line!.details.event_id, 'string');
      assert.equal(line!.details.type, 'device.delivery.response');
      assert.equal(line!.details.attempt, 1);
      assert.equal(line!.details.http_status, 200);
      assert.equal(typeof line!.details.latency_ms, 'number');
    });
    it('an answer outside 2xx is a failed attempt, logged as a warning with "HTTP <status>" and the retry to come', async () => {
      receiver.status = 503;
      const lines = await sendOnce('/log-503');
      receiver.status = 200;
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.level, 'warn');
      assert.equal(lines[0]!.message, 'callback attempt failed');
      assert.equal(lines[0]!.details.http_status, 503);
      assert.equal(lines[0]!.details.error, 'HTTP 503');
      assert.equal(lines[0]!.details.outcome, 'retry');
    });
    it('a 3xx is not a delivery', async () => {
      receiver.status = 302;
      const lines = await sendOnce('/log-302');
      receiver.status = 200;
      assert.equal(lines[0]!.details.error, 'HTTP 302');
    });
    it('a refused target is logged with the refusal’s name and message, and no status', async () => {
      const lines = await sendOnce('/log-refused?token=secret', { allowPrivate: false });
      assert.equal(receiver.on('/log-refused?token=secret').length, 0);
      assert.equal(lines[0]!.details.http_status, null);
      assert.equal(lines[0]!.details.error, 'RefusedTarget: loopback: callbacks to loopback and private addresses are refused unless the server runs with --allow-private-callbacks');
    });
    it('an error is logged cut to its first 300 characters', async () => {
      const host = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example`;
      const real = dns.lookup;
      dns.lookup = ((name: string, options: unknown, callback: (error: Error | null, addresses: unknown) => void) =>
        name === host ? setImmediate(() => callback(null, [{ address: '10.0.0.7', family: 4 }])) : (real as (...args: unknown[]) => void)(name, options, callback)) as typeof dns.lookup;
      syncBuiltinESMExports();
      try {
        const lines = await sendOnce('/long', { allowPrivate: false }, `http://${host}`);
        const whole = `RefusedTarget: ${host} resolves to a private address: callbacks to loopback and private addresses are refused unless the server runs with --allow-private-callbacks`;
        assert.equal(lines[0]!.details.error, whole.slice(0, 300));
      } finally {
        dns.lookup = real;
        syncBuiltinESMExports();
      }
    });
  });
}
