/**
 * The whole path (issue 11): a consumed code's order is delivered, the simulated machine
 * vends (or jams), and the result reaches the order's notify_url with both signatures valid
 * and the merchant's webhook as `delivery.result`; the order then counts the notice. Real
 * server, embedded broker, simulator and HTTP receiver, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { verifyWebhook } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { verifySignature } from '../../src/protocol/signature.js';
import { createMerchant, setMerchantWebhook, type NewMerchant } from '../../src/service/admin.js';
import { tradeId } from '../helpers/client.js';
import { eventually, LinkedServer, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { asMerchant } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** Shortened from the original's 120 s, yet far above a simulated vend's 50 ms. */
const TIMEOUT_SECONDS = 3;

for (const kind of storeKinds()) {
  describe(`code → delivery → vend → callback [${kind.name}]`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let receiver: Receiver;
    let merchant: NewMerchant;
    const machines: MachineSimulator[] = [];

    before(async () => {
      receiver = await Receiver.start();
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { config: { rateLimitPerMinute: 0, deliveryResultTimeoutSeconds: TIMEOUT_SECONDS }, callbacks: { allowPrivate: true, pollIntervalMs: 50 } });
      merchant = await createMerchant(linked.store, { name: 'End to end' });
      await setMerchantWebhook(linked.store, merchant.merchant_id, { url: `${receiver.url}/events`, allowPrivate: true });
    });
    after(async () => {
      for (const machine of machines) await machine.disconnect();
      await linked?.close();
      await receiver?.close();
    });

    async function vendAndHear(fault: 'none' | 'jam' | 'no-reply'): Promise<{ fixture: LinkFixture; orderId: number; recordId: number; notify: any; raw: { headers: any; body: string } }> {
      const fixture = await seedMachine(linked.store, merchant);
      const machine = simulator(linked.brokerUrl, fixture, { vendMs: 50, fault });
      machines.push(machine);
      await machine.connect();
      const call = asMerchant(linked.server.url, merchant);
      const machine_no = fixture.machineNo;
      await eventually(async () => (await call(`/rent/machines/${machine_no}`, undefined)).body.data.is_online === true, 'online');
      const made = await call('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id: String(fixture.productId) });
      const path = `/notify/${machine_no}`;
      const consumed = await call('/consumes', { machine_no, method: 'event.consume.pickup_code', code: made.body.data.codes[0].code, product_id: String(fixture.productId), trade_id: tradeId(), notify_url: `${receiver.url}${path}` });
      const orderId = consumed.body.data.order_id as number;
      const recordId = consumed.body.data.records[0].id as number;
      const delivered = await call('/deliveries', { machine_no, method: 'device.delivery.put', order_id: String(orderId), record_id: String(recordId) });
      assert.equal(delivered.body.code, 0, JSON.stringify(delivered.body));
      await eventually(() => receiver.on(path).length === 1, 'the notify_url heard the result', (TIMEOUT_SECONDS + 10) * 1000);
      const raw = receiver.on(path)[0]!;
      return { fixture, orderId, recordId, notify: JSON.parse(raw.body), raw };
    }

    it('a vend: notify_url gets device.delivery.response (deliver_status 1) with a valid MD5 sign and HMAC header; the webhook gets delivery.result; the order counts it', async () => {
      const { fixture, orderId, recordId, notify, raw } = await vendAndHear('none');
      assert.equal(notify.method, 'device.delivery.response');
      assert.equal(notify.order_id, orderId);
      assert.equal(notify.record_id, recordId);
      assert.equal(notify.deliver_status, '1');
      const asText = Object.fromEntries(Object.entries(notify).map(([name, value]) => [name, String(value)]));
      assert.ok(verifySignature(asText, String(merchant.merchant_id)), 'MD5 sign as the Open API verifies');
      assert.ok(verifyWebhook(raw.headers, raw.body, merchant.webhook_secret), 'Vendcloud-Signature');
      await eventually(() => receiver.on('/events').some((r) => JSON.parse(r.body).type === 'delivery.result' && JSON.parse(r.body).data.order_id === orderId), 'delivery.result event');
      const call = asMerchant(linked.server.url, merchant);
      let order: any;
      await eventually(async () => (order = (await call(`/orders/${orderId}`, { machine_no: fixture.machineNo })).body.data).records[0].notify_sent === '1', 'the order shows the notice delivered');
      assert.equal(order.notify_send_count, 1);
      assert.equal(order.records[0].status, 'IS_SUCCESS');
    });

    it('a jam: the callback says deliver_status 0 with the floor status and the machine’s error, signed the same way', async () => {
      const { notify, raw } = await vendAndHear('jam');
      assert.equal(notify.deliver_status, '0');
      assert.notEqual(notify.floor_status, '1');
      assert.ok(notify.error_msg.length > 0);
      assert.ok(verifyWebhook(raw.headers, raw.body, merchant.webhook_secret));
      const asText = Object.fromEntries(Object.entries(notify).map(([name, value]) => [name, String(value)]));
      assert.ok(verifySignature(asText, String(merchant.merchant_id)));
    });

    it('no reply: after the timeout the record is IS_TIMEOUT and the callback says deliver_status 0 with the reason, signed the same way', async () => {
      const { fixture, orderId, notify, raw } = await vendAndHear('no-reply');
      assert.equal(notify.deliver_status, '0');
      assert.ok(notify.error_msg.length > 0);
      assert.ok(verifyWebhook(raw.headers, raw.body, merchant.webhook_secret));
      const asText = Object.fromEntries(Object.entries(notify).map(([name, value]) => [name, String(value)]));
      assert.ok(verifySignature(asText, String(merchant.merchant_id)));
      const order = (await asMerchant(linked.server.url, merchant)(`/orders/${orderId}`, { machine_no: fixture.machineNo })).body.data;
      assert.equal(order.records[0].status, 'IS_TIMEOUT');
    });
  });
}
