/**
 * Retention of callbacks (issue 27, docs/deployment.md "How long records are kept"): on a test
 * clock, the housekeeping purges callback attempts and finished merchant events older than
 * `keepCallbacksDays` (default 30), in steps; a notify_url callback keeps its row (the order's
 * answer counts its attempts), and younger rows stay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { purgeOldCallbacks } from '../../src/housekeeping.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { createMerchant, setMerchantWebhook, type NewMerchant } from '../../src/service/admin.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

const DAY = 24 * 3600;

for (const kind of storeKinds()) {
  describe(`callback retention [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let merchant: NewMerchant;
    let now = nowSeconds();
    let serial = 0;

    before(async () => {
      receiver = await Receiver.start();
      server = await startTestServer(
        kind,
        { clock: () => now, timestampWindowSeconds: 0 },
        { callbacks: { allowPrivate: true, pollIntervalMs: 20, clock: () => now }, housekeeping: { purgeIntervalMs: 20 } },
      );
      merchant = await createMerchant(server.store, { name: 'Retention merchant' });
      await setMerchantWebhook(server.store, merchant.merchant_id, { url: `${receiver.url}/events`, allowPrivate: true });
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
    });

    /** A vend's result: a callback to the notify_url and a `delivery.result` event, both delivered. */
    const deliveredResult = async () => {
      const deliveryId = ++serial;
      const received = receiver.received.length;
      await server.store.write({ actor: 'test', requestId: null, at: now }, (work) =>
        queueDeliveryResult(work, {
          merchantId: merchant.merchant_id,
          notifyUrl: `${receiver.url}/notify/${deliveryId}`,
          orderId: null,
          recordId: null,
          deliveryId,
          deliverStatus: 1,
          floorStatus: 0,
          errorMsg: '',
        }),
      );
      await eventually(async () => {
        const rows = await server.store.db.selectFrom('callbacks').select('state').where('delivery_id', '=', deliveryId).execute();
        return receiver.received.length >= received + 2 && rows.length === 2 && rows.every((row) => row.state === 'delivered');
      }, 'both callbacks delivered');
      return deliveryId;
    };
    const rowsOf = async (deliveryId: number) => {
      const callbacks = await server.store.db.selectFrom('callbacks').select(['id', 'kind', 'attempts', 'state']).where('delivery_id', '=', deliveryId).orderBy('id').execute();
      const ids = callbacks.map((callback) => callback.id);
      const attempts = ids.length === 0 ? [] : await server.store.db.selectFrom('callback_attempts').select('id').where('callback_id', 'in', ids).execute();
      return { callbacks, attempts: attempts.length };
    };

    it('nothing is purged before its 30 days; after them the attempts and the delivered event go, the notify callback stays with its count; younger rows stay', async () => {
      const old = await deliveredResult();
      assert.deepEqual((await rowsOf(old)).attempts, 2);

      now += 29 * DAY;
      // The chore itself, run here, says what it would purge now: nothing.
      assert.equal(await purgeOldCallbacks(server.store, now, 30), 0);
      assert.equal((await rowsOf(old)).attempts, 2);
      const young = await deliveredResult();

      now += 2 * DAY;
      await eventually(async () => (await rowsOf(old)).callbacks.length === 1, 'the old event is purged by the housekeeping');
      const kept = await rowsOf(old);
      assert.deepEqual(
        kept.callbacks.map(({ kind, attempts, state }) => ({ kind, attempts, state })),
        [{ kind: 'notify', attempts: 1, state: 'delivered' }],
      );
      assert.equal(kept.attempts, 0, 'its attempts are purged');
      const youngRows = await rowsOf(young);
      assert.equal(youngRows.callbacks.length, 2);
      assert.equal(youngRows.attempts, 2);
    });

    it('a backlog larger than one step is purged whole, step by step', async () => {
      // What the first test left (two days old) goes first, so what is counted below is this test's.
      await purgeOldCallbacks(server.store, now + 30 * DAY, 30);
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await deliveredResult());
      // More attempts than a step takes (500): the backlog of a long outage of the purge.
      await server.store.write(BY_TEST, async ({ trx }) => {
        const [first] = await trx.selectFrom('callbacks').select('id').where('delivery_id', '=', ids[0]!).execute();
        const rows = Array.from({ length: 1200 }, (_, index) => ({ callback_id: first!.id, attempt: 100 + index, started_at: now, latency_ms: 1, http_status: 500, error: null, outcome: 'retry' as const }));
        for (let start = 0; start < rows.length; start += 400) await trx.insertInto('callback_attempts').values(rows.slice(start, start + 400)).execute();
      });
      assert.equal(await purgeOldCallbacks(server.store, now + 31 * DAY, 30), 1200 + 6 + 3, 'every attempt, then the three events');
      for (const id of ids) assert.deepEqual(await rowsOf(id).then((rows) => [rows.callbacks.length, rows.attempts]), [1, 0]);
    });
  });
}
