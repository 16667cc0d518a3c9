/**
 * Callbacks and webhooks (docs/callbacks.md), on every store with a real HTTP receiver on
 * loopback: both signatures verify, a receiver that is down gets the published schedule on a
 * test clock, a restart loses nothing, a claim whose sender died is taken again after its
 * lease, an operator re-sends by CLI, and a merchant reads and re-sends only its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { verifyWebhook } from '../../src/client/index.js';
import { RETRY_DELAYS_SECONDS } from '../../src/domain/callbacks.js';
import { verifySignature } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { createMerchant, setMerchantWebhook } from '../../src/service/admin.js';
import { queueDeliveryResult, type DeliveryResultNotice } from '../../src/service/delivery-notices.js';
import * as callbacks from '../../src/store/repositories/callbacks.repository.js';
import { json, vendcloud } from '../helpers/cli.js';
import { clientFor } from '../helpers/client.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`callbacks and webhooks [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let merchant: MerchantFixture;
    let webhookSecret: string;
    let now = nowSeconds();
    let serial = 0;

    before(async () => {
      receiver = await Receiver.start();
      server = await startTestServer(kind, { timestampWindowSeconds: 0 }, { callbacks: { allowPrivate: true, pollIntervalMs: 20, clock: () => now } });
      merchant = await seedMerchant(server.store, { products: 1, capacity: 50 });
      webhookSecret = merchant.webhook_secret;
      await setMerchantWebhook(server.store, merchant.merchant_id, { url: `${receiver.url}/events`, allowPrivate: true });
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
    });

    /** A real order (a consume through the API) with its one record. */
    const order = async (): Promise<{ orderId: number; recordId: number }> => {
      const api = asMerchant(server.url, merchant);
      const machine_no = merchant.machines[0]!.machine_no;
      const product_id = String(merchant.machines[0]!.productIds[0]);
      const created = await api('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id });
      const code = created.body.data.codes[0].code as string;
      const consumed = await api('/consumes', { machine_no, method: 'event.consume.pickup_code', code, product_id, trade_id: `T${process.pid}-${++serial}`.padEnd(20, '0'), notify_url: `${receiver.url}/notify` });
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
      return { orderId: consumed.body.data.order_id, recordId: consumed.body.data.records[0].id };
    };

    const queue = async (notice: Partial<DeliveryResultNotice> & { orderId: number | null; recordId: number | null }, path = `/notify/${++serial}`) => {
      await server.store.write({ actor: 'test', requestId: null, at: now }, (work) =>
        queueDeliveryResult(work, {
          merchantId: merchant.merchant_id,
          notifyUrl: `${receiver.url}${path}`,
          deliveryId: ++serial,
          deliverStatus: 0,
          floorStatus: 2,
          errorMsg: 'Goods are Stuck',
          ...notice,
        }),
      );
      return path;
    };

    const attemptsAt = async (path: string) => {
      const rows = await server.store.db.selectFrom('callbacks').selectAll().where('url', '=', `${receiver.url}${path}`).execute();
      assert.equal(rows.length, 1);
      return { callback: rows[0]!, attempts: await callbacks.attemptsOf(server.store.db, [rows[0]!.id]) };
    };

    it('POSTs the original body with timestamp and MD5 sign (the Open API verifier accepts it) and the HMAC header (verifyWebhook accepts it); the delivery.result event too', async () => {
      const { orderId, recordId } = await order();
      const path = await queue({ orderId, recordId });
      await eventually(() => receiver.on(path).length === 1, 'the notify_url got the callback');
      const [notify] = receiver.on(path);
      const body = JSON.parse(notify!.body);
      assert.deepEqual(
        { ...body, timestamp: undefined, sign: undefined },
        { method: 'device.delivery.response', order_id: orderId, record_id: recordId, deliver_status: '0', floor_status: '2', error_msg: 'Goods are Stuck', timestamp: undefined, sign: undefined },
      );
      assert.equal(body.timestamp, String(now));
      const asText = Object.fromEntries(Object.entries(body).map(([name, value]) => [name, String(value)]));
      assert.ok(verifySignature(asText, String(merchant.merchant_id)), 'the MD5 sign is the Open API signing, keyed by the merchant id');
      assert.equal(verifySignature(asText, String(merchant.merchant_id + 1)), undefined);
      assert.ok(verifyWebhook(notify!.headers, notify!.body, webhookSecret, { now }));
      assert.equal(verifyWebhook(notify!.headers, notify!.body, 'whsec_wrong', { now }), false);
      assert.equal(verifyWebhook(notify!.headers, notify!.body.replace('Stuck', 'stuck'), webhookSecret, { now }), false, 'a changed body fails');
      assert.equal(verifyWebhook(notify!.headers, notify!.body, webhookSecret, { now: now + 301 }), false, 'outside the tolerance window');
      assert.match(String(notify!.headers['vendcloud-event-id']), /^evt_[0-9a-f]{32}$/);

      await eventually(() => receiver.on('/events').some((r) => JSON.parse(r.body).data.order_id === orderId), 'the webhook got delivery.result');
      const event = receiver.on('/events').find((r) => JSON.parse(r.body).data.order_id === orderId)!;
      const envelope = JSON.parse(event.body);
      assert.equal(envelope.type, 'delivery.result');
      assert.equal(envelope.id, event.headers['vendcloud-event-id']);
      assert.deepEqual(envelope.data, { order_id: orderId, record_id: recordId, delivery_id: envelope.data.delivery_id, deliver_status: 0, floor_status: 2, error_msg: 'Goods are Stuck' });
      assert.ok(verifyWebhook(event.headers, event.body, webhookSecret, { now }));

      await eventually(async () => (await attemptsAt(path)).callback.state === 'delivered', 'the attempt is recorded');
      const counts = await callbacks.notifyCountsOfOrder(server.store.db, orderId);
      assert.equal(counts.sendCount, 1);
      assert.deepEqual([...counts.deliveredRecordIds], [recordId]);
    });

    it('a receiver that fails is retried at 15 s, 1 min, 5 min on the test clock, not before; one event id throughout; delivered once it answers 2xx', async () => {
      const path = `/flaky/${++serial}`;
      receiver.status = (request) => (request.path === path ? 503 : 200);
      try {
        const start = now;
        await queue({ orderId: null, recordId: null }, path);
        await eventually(() => receiver.on(path).length === 1, 'first attempt at once');
        let elapsed = 0;
        for (const [index, delay] of RETRY_DELAYS_SECONDS.slice(0, 3).entries()) {
          await eventually(async () => (await attemptsAt(path)).attempts.length === index + 1, `attempt ${index + 1} recorded`);
          const { callback } = await attemptsAt(path);
          elapsed += delay;
          assert.equal(callback.next_attempt_at, start + elapsed, `attempt ${index + 2} is due ${elapsed} s after the first`);
          now = start + elapsed - 1;
          server.callbacks.poke();
          // The round the poke started, and any attempt it made, are over: had it sent, it would show.
          await server.callbacks.idle();
          assert.equal(receiver.on(path).length, index + 1, 'not a second early');
          now = start + elapsed;
          if (index === 2) receiver.status = 200;
          server.callbacks.poke();
          await eventually(() => receiver.on(path).length === index + 2, `attempt ${index + 2} at +${elapsed} s`);
        }
        await eventually(async () => (await attemptsAt(path)).callback.state === 'delivered', 'delivered');
        const { attempts } = await attemptsAt(path);
        assert.deepEqual(attempts.map((a) => [a.attempt, a.outcome, a.http_status, a.started_at - start]), [
          [1, 'retry', 503, 0],
          [2, 'retry', 503, 15],
          [3, 'retry', 503, 75],
          [4, 'delivered', 200, 375],
        ]);
        assert.equal(new Set(receiver.on(path).map((r) => r.headers['vendcloud-event-id'])).size, 1, 'the same event id on every attempt');
      } finally {
        receiver.status = 200;
      }
    });

    it('a server restart in the middle of the schedule loses nothing: the next attempt goes out from the new process', async () => {
      const path = `/restart/${++serial}`;
      receiver.status = (request) => (request.path === path ? 500 : 200);
      await queue({ orderId: null, recordId: null }, path);
      await eventually(async () => (await attemptsAt(path)).attempts.length === 1, 'first attempt failed');
      receiver.status = 200;
      server = await server.restart();
      now += 15;
      await eventually(async () => (await attemptsAt(path)).callback.state === 'delivered', 'delivered after the restart');
      assert.equal(receiver.on(path).length, 2);
    });

    it("a claim whose sender died is taken again once its lease ends, not before", async () => {
      // A callback claimed by an instance that died before sending it.
      const id = await server.store.write(BY_TEST, (work) =>
        callbacks.enqueue(work, { merchantId: merchant.merchant_id, kind: 'event', eventId: `evt_${'d'.repeat(32)}`, eventType: 'delivery.result', url: `${receiver.url}/dead`, body: '{}', orderId: null, recordId: null, deliveryId: null, now: now + 1 }),
      );
      const claimed = await server.store.write(BY_TEST, ({ trx }) => callbacks.claim(trx, id, now + 1, now + 61, 'dead-instance'));
      assert.ok(claimed);
      now += 30;
      server.callbacks.poke();
      // The round the poke started, and any attempt it made, are over: had it sent, it would show.
      await server.callbacks.idle();
      assert.equal(receiver.on('/dead').length, 0, 'held by the dead sender');
      now += 32;
      server.callbacks.poke();
      await eventually(() => receiver.on('/dead').length === 1, 'taken again after the lease');
    });

    it('callbacks list --order shows every attempt; callbacks resend ID sends it again with the same event id', async () => {
      const { orderId, recordId } = await order();
      const path = await queue({ orderId, recordId });
      await eventually(async () => (await attemptsAt(path)).callback.state === 'delivered', 'delivered');
      const db = server.location.db;
      const schemaEnv: Record<string, string> = server.location.options.pgSchema ? { VENDCLOUD_DB_SCHEMA: server.location.options.pgSchema } : {};
      const listed = json(await vendcloud(['callbacks', 'list', '--order', String(orderId), '--db', db, '--json'], schemaEnv));
      const notify = listed.find((c: { type: string }) => c.type === 'device.delivery.response');
      assert.equal(notify.state, 'delivered');
      assert.equal(notify.attempts.length, 1);
      assert.equal(notify.attempts[0].http_status, 200);
      assert.equal(notify.record_id, recordId);
      const resent = await vendcloud(['callbacks', 'resend', String(notify.id), '--db', db], schemaEnv);
      assert.equal(resent.code, 0, resent.stderr);
      await eventually(() => receiver.on(path).length === 2, 'sent again');
      const [first, second] = receiver.on(path);
      assert.equal(first!.headers['vendcloud-event-id'], second!.headers['vendcloud-event-id']);
      const missing = await vendcloud(['callbacks', 'resend', '999999', '--db', db], schemaEnv);
      assert.equal(missing.code, 2);
    });

    it('the Open API extension: a merchant reads and re-sends the callbacks of its own orders only (80002 for another merchant)', async () => {
      const { orderId, recordId } = await order();
      const path = await queue({ orderId, recordId });
      await eventually(async () => (await attemptsAt(path)).callback.state === 'delivered', 'delivered');
      const own = await asMerchant(server.url, merchant)('/callbacks/query', { order_id: String(orderId) });
      assert.equal(own.body.code, 0);
      assert.ok(own.body.data.some((c: { type: string; attempts: unknown[] }) => c.type === 'device.delivery.response' && c.attempts.length === 1));

      const other = await createMerchant(server.store, { name: 'Other merchant' });
      const foreign = await asMerchant(server.url, other)('/callbacks/query', { order_id: String(orderId) });
      assert.equal(foreign.body.code, 80002);
      const id = String(own.body.data[0].id);
      const foreignResend = await asMerchant(server.url, other)('/callbacks', { method: 'callback.resend', id }, 'PUT');
      assert.equal(foreignResend.body.code, 80002);
      const ownResend = await asMerchant(server.url, merchant)('/callbacks', { method: 'callback.resend', id }, 'PUT');
      assert.equal(ownResend.body.code, 0);

      const sdk = clientFor(server.url, merchant);
      const resent = async () => (await sdk.orderCallbacks(orderId)).find((c) => c.id === Number(id))!;
      await eventually(async () => (await resent()).attempts.length === 2, 'the resend delivered');
      const callback = await resent();
      assert.equal(callback.recordId, recordId);
      assert.equal(callback.state, 'delivered');
      assert.deepEqual(callback.attempts.map((a) => [a.attempt, a.outcome, a.httpStatus]), [[1, 'delivered', 200], [2, 'delivered', 200]]);
      assert.ok(callback.attempts[0]!.at instanceof Date);
      await assert.rejects(clientFor(server.url, other).orderCallbacks(orderId), (error: { code?: number }) => error.code === 80002);
      await sdk.resendCallback(callback.id);
      await eventually(async () => (await resent()).attempts.length === 3, 'the SDK resend delivered');
    });

    it('gives up when the next attempt would start more than 24 h after the queueing: state failed, no more attempts', async () => {
      const path = `/gone/${++serial}`;
      receiver.status = (request) => (request.path === path ? 500 : 200);
      try {
        const start = now;
        await queue({ orderId: null, recordId: null }, path);
        await eventually(async () => (await attemptsAt(path)).attempts.length === 1, 'first attempt failed');
        now = start + 24 * 3600 - 30;
        server.callbacks.poke();
        await eventually(async () => (await attemptsAt(path)).callback.state === 'failed', 'given up');
        const { callback, attempts } = await attemptsAt(path);
        assert.deepEqual(attempts.map((a) => a.outcome), ['retry', 'failed']);
        assert.equal(callback.finished_at, now);
        now += 7 * 24 * 3600;
        server.callbacks.poke();
        // The round the poke started, and any attempt it made, are over: had it sent, it would show.
        await server.callbacks.idle();
        assert.equal(receiver.on(path).length, 2, 'nothing after giving up');
      } finally {
        receiver.status = 200;
      }
    });
  });
}

