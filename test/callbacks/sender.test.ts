/**
 * The rounds of the callback sender (src/callbacks/sender.ts): `idle()` waits for every
 * attempt to be sent and recorded, the attempts are counted by outcome, and no more than the
 * configured number of attempts are in flight at once, the rest leaving as those finish.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from '../helpers/node-test.js';
import { startCallbackSender } from '../../src/callbacks/sender.js';
import type { CallbacksConfig } from '../../src/config.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { seedMerchant } from '../helpers/server.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';

const quiet = { info: () => {}, warn: () => {} };

/** A receiver that holds every request until the test answers it, and counts how many it held at once. */
async function holdingReceiver() {
  const waiting: ServerResponse[] = [];
  const state = { waiting, mostAtOnce: 0, received: 0 };
  const server = createServer((request, response) =>
    request.resume().on('end', () => {
      state.received++;
      waiting.push(response);
      state.mostAtOnce = Math.max(state.mostAtOnce, waiting.length);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { state, url, close };
}

for (const kind of storeKinds()) {
  describe(`the sender's rounds [${kind.name}]`, { skip: kind.skip }, () => {
    let receiver: Receiver;
    before(async () => {
      receiver = await Receiver.start();
    });
    after(() => receiver.close());

    const queue = async (store: Store, merchantId: number, url: string, count: number, now: number) => {
      for (let i = 1; i <= count; i++) {
        await store.write({ actor: 'test', requestId: null, at: now }, (work) =>
          queueDeliveryResult(work, {
            merchantId, notifyUrl: `${url}/${i}`, deliveryId: i, orderId: null, recordId: null, deliverStatus: 1, floorStatus: 1, errorMsg: '',
          }),
        );
      }
    };
    const config = (now: number, concurrency: number): CallbacksConfig => ({ allowPrivate: true, pollIntervalMs: 600_000, timeoutMs: 2000, leaseSeconds: 60, concurrency, clock: () => now });

    it('idle() resolves once every due callback was sent and its attempt recorded, counted by outcome', async () => {
      await withFreshStore(kind, async (store) => {
        const merchant = await seedMerchant(store, { products: 1 });
        const now = nowSeconds();
        receiver.status = (request) => (request.path === '/idle/3' ? 503 : 200);
        await queue(store, merchant.merchant_id, `${receiver.url}/idle`, 3, now);
        const sender = startCallbackSender(store, config(now, 4), quiet);
        try {
          await sender.idle();
          assert.deepEqual([1, 2, 3].map((i) => receiver.on(`/idle/${i}`).length), [1, 1, 1]);
          assert.deepEqual(sender.attempts, { delivered: 2, retry: 1, failed: 0, 'lost-claim': 0 });
          const recorded = await store.db.selectFrom('callback_attempts').select(['http_status']).orderBy('http_status').execute();
          assert.deepEqual(recorded.map((row) => row.http_status), [200, 200, 503]);
        } finally {
          receiver.status = 200;
          await sender.stop();
        }
      });
    });

    it('keeps at most `concurrency` attempts in flight, and sends the rest as those finish', async () => {
      const held = await holdingReceiver();
      try {
        await withFreshStore(kind, async (store) => {
          const merchant = await seedMerchant(store, { products: 1 });
          const now = nowSeconds();
          await queue(store, merchant.merchant_id, `${held.url}/held`, 5, now);
          const sender = startCallbackSender(store, config(now, 2), quiet);
          try {
            for (let answered = 0; answered < 5; answered++) {
              const expected = Math.min(2, 5 - answered);
              await eventually(() => held.state.waiting.length === expected, `${expected} attempts in flight after ${answered} answers`);
              held.state.waiting.shift()!.end();
            }
            await sender.idle();
            assert.equal(held.state.received, 5);
            assert.equal(held.state.mostAtOnce, 2);
            assert.equal(sender.attempts.delivered, 5);
          } finally {
            await sender.stop();
          }
        });
      } finally {
        await held.close();
      }
    });
  });
}
