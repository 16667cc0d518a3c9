/**
 * A queued callback leaves at once: the commit that queued it wakes the sender (the poll is
 * for retries and other instances' rows), on every store, twenty times in a row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`the commit wakes the sender [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let merchant: MerchantFixture;
    before(async () => {
      receiver = await Receiver.start();
      // A poll that never comes during the test: only the committed event can send.
      server = await startTestServer(kind, {}, { callbacks: { allowPrivate: true, pollIntervalMs: 600_000 } });
      merchant = await seedMerchant(server.store, { products: 1 });
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
    });

    it('each of 20 callbacks, queued one after another, reaches the receiver without waiting for a poll', async () => {
      for (let i = 1; i <= 20; i++) {
        await server.store.write({ actor: 'test', requestId: null, at: nowSeconds() }, (work) =>
          queueDeliveryResult(work, {
            merchantId: merchant.merchant_id, notifyUrl: `${receiver.url}/w/${i}`, orderId: null, recordId: null, deliveryId: i, deliverStatus: 1, floorStatus: 1, errorMsg: '',
          }),
        );
        await eventually(() => receiver.on(`/w/${i}`).length === 1, `callback ${i} received`, 3000);
      }
      assert.equal(receiver.received.length, 20);
    });
  });
}
