/**
 * The SDK's lifecycle extensions (docs/console.md) against a real server, its embedded broker
 * and a simulated machine, on every store: a machine's orders of a day, an order's
 * deliveries, the pushes waiting for a machine, the merchant's latest callbacks, its webhook.
 * Every answer is checked against its schema in protocol/responses.ts by the server fixture.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { ErrorCode, OpenApiError, verifyWebhook, type VendcloudClient } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { eventually, LinkedServer, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`the SDK's lifecycle extensions (${kind.name})`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let receiver: Receiver;
    let fixture: LinkFixture;
    let api: VendcloudClient;
    let machine: MachineSimulator;
    const machines: MachineSimulator[] = [];

    before(async () => {
      receiver = await Receiver.start();
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { config: { rateLimitPerMinute: 0 }, callbacks: { allowPrivate: true, pollIntervalMs: 100 } });
      fixture = await seedMachine(linked.store);
      api = clientFor(linked.server.url, fixture.merchant);
      machine = simulator(linked.brokerUrl, fixture, { vendMs: 50 });
      machines.push(machine);
      await machine.connect();
      await eventually(async () => (await api.machinesOverview(fixture.machineNo))[0]!.isOnline, 'the machine is online');
    });
    after(async () => {
      for (const each of machines) await each.disconnect();
      await linked?.close();
      await receiver?.close();
    });

    async function consumed(notifyUrl = `${receiver.url}/notify`) {
      const [code] = await api.createPickupCodes(fixture.machineNo, { productId: fixture.productId });
      return api.consumePickupCode(fixture.machineNo, { code: code!.code, productId: fixture.productId, tradeId: tradeId(), notifyUrl });
    }

    it("lists a machine's orders of the day, newest first, with their records; another day has none; a day that does not exist is 10001 naming date", async () => {
      const first = await consumed();
      const second = await consumed();
      // The day the orders were made on (their own `date`), in the platform zone.
      const day = await api.ordersOfDay(fixture.machineNo, second.date!, { perPage: 100 });
      assert.deepEqual(day.data.slice(0, 2).map((order) => order.orderId), [second.orderId, first.orderId]);
      assert.equal(day.total, day.data.length);
      const listed = day.data[0]!;
      assert.equal(listed.status, 'PICKUPCODE');
      assert.equal(listed.amount, '2.00');
      assert.deepEqual(listed.records.map((record) => [record.productId, record.quantity, record.status]), [[fixture.productId, 1, 'WAITING_PICKED_UP']]);
      assert.ok(listed.createdAt instanceof Date);
      assert.deepEqual((await api.ordersOfDay(fixture.machineNo, '2020-01-01')).data, []);
      await assert.rejects(api.ordersOfDay(fixture.machineNo, '2024-02-30'), (error: OpenApiError) => error.code === ErrorCode.FIELD_INVALID && /date/.test(error.message));
    });

    it("follows an order's delivery from IS_DELIVERING to IS_SUCCESS; another merchant's order is 80002", async () => {
      const order = await consumed();
      const started = await api.deliver(fixture.machineNo, order.orderId, order.records[0]!.id);
      const [listed] = await api.orderDeliveries(fixture.machineNo, order.orderId);
      assert.equal(listed!.deliveryId, started.deliveryId);
      assert.equal(listed!.recordId, order.records[0]!.id);
      await eventually(async () => (await api.orderDeliveries(fixture.machineNo, order.orderId))[0]!.status === 'IS_SUCCESS', 'the delivery succeeded');
      assert.ok((await api.orderDeliveries(fixture.machineNo, order.orderId))[0]!.settledAt instanceof Date);

      const stranger = await seedMachine(linked.store);
      await assert.rejects(clientFor(linked.server.url, stranger.merchant).orderDeliveries(stranger.machineNo, order.orderId), (error: OpenApiError) => error.code === ErrorCode.RECORD_NOT_FOUND);
    });

    it('counts the pushes waiting for a machine while the server has no machine link, and the oldest one', async () => {
      // Without a link (no broker) every push waits: the dispatcher never hands it on.
      const unlinked = await startTestServer(kind);
      try {
        const waiting = await seedMachine(unlinked.store);
        const client = clientFor(unlinked.url, waiting.merchant);
        assert.deepEqual(await client.unsentPushes(waiting.machineNo), { unsent: 0 });
        await client.createPickupCodes(waiting.machineNo, { productId: waiting.productId, count: 3 });
        const unsent = await client.unsentPushes(waiting.machineNo);
        assert.equal(unsent.unsent, 3);
        assert.ok(unsent.oldestQueuedAt instanceof Date);
      } finally {
        await unlinked.close();
      }
    });

    it('counts none once the machine link has handed the pushes on', async () => {
      const late = await seedMachine(linked.store, fixture.merchant);
      await api.createPickupCodes(late.machineNo, { productId: late.productId, count: 3 });
      await eventually(async () => (await api.unsentPushes(late.machineNo)).unsent === 0, 'the pushes were handed to the broker');
      assert.deepEqual(await api.unsentPushes(late.machineNo), { unsent: 0 });
    });

    it('sets the webhook, signs its events with a rotated secret shown once, lists them newest first with their attempts, and clears it', async () => {
      assert.deepEqual(await api.getWebhook(), { secretSet: true });
      await assert.rejects(api.setWebhook('ftp://merchant.example/events'), (error: OpenApiError) => error.code === ErrorCode.FIELD_INVALID);
      await api.setWebhook(`${receiver.url}/events`);
      assert.deepEqual(await api.getWebhook(), { url: `${receiver.url}/events`, secretSet: true });
      const secret = await api.rotateWebhookSecret();
      assert.match(secret, /^whsec_/);

      const order = await consumed();
      await api.deliver(fixture.machineNo, order.orderId, order.records[0]!.id);
      await eventually(() => receiver.on('/events').length > 0, 'an event reached the webhook');
      const event = receiver.on('/events')[0]!;
      assert.ok(verifyWebhook(event.headers as Record<string, string>, event.body, secret), 'signed with the rotated secret');

      await eventually(async () => (await api.latestCallbacks()).some((callback) => callback.url.endsWith('/events') && callback.state === 'delivered'), 'the event is listed as delivered');
      const latest = await api.latestCallbacks();
      assert.deepEqual(latest.map((callback) => callback.id), [...latest.map((callback) => callback.id)].sort((a, b) => b - a), 'newest first');
      const delivered = latest.find((callback) => callback.state === 'delivered')!;
      assert.equal(delivered.attempts[0]!.httpStatus, 200);
      const older = await api.latestCallbacks({ beforeId: latest[0]!.id, perPage: 1 });
      assert.deepEqual(older.map((callback) => callback.id), [latest[1]!.id]);
      assert.deepEqual(await clientFor(linked.server.url, (await seedMachine(linked.store)).merchant).latestCallbacks(), [], "another merchant's are not listed");

      await api.setWebhook(null);
      assert.deepEqual(await api.getWebhook(), { secretSet: true });
    });
  });
}
