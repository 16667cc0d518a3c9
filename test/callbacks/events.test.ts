/**
 * Merchant events over the real machine link (embedded broker) and a loopback receiver: a
 * machine coming online, a code typed on its keypad, its goodbye and its silence each reach
 * the merchant's webhook, signed, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { verifyWebhook } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { createMerchant, setMerchantWebhook, type NewMerchant } from '../../src/service/admin.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { Receiver, type Received } from '../helpers/receiver.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`merchant events from machines [${kind.name}]`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let receiver: Receiver;
    let merchant: NewMerchant;
    let fixture: LinkFixture;
    let machine: MachineSimulator;

    const events = (type: string): Array<Received & { envelope: any }> =>
      receiver
        .on('/hook')
        .map((received) => ({ ...received, envelope: JSON.parse(received.body) }))
        .filter((received) => received.envelope.type === type && received.envelope.data.machine_no === fixture.machineNo);

    before(async () => {
      receiver = await Receiver.start();
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, { heartbeatTimeoutSeconds: 1 }, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
      merchant = await createMerchant(linked.store, { name: 'Events merchant' });
      await setMerchantWebhook(linked.store, merchant.merchant_id, { url: `${receiver.url}/hook`, allowPrivate: true });
      fixture = await seedMachine(linked.store, merchant);
      machine = simulator(linked.brokerUrl, fixture);
    });
    after(async () => {
      await machine?.disconnect();
      await linked?.close();
      await receiver?.close();
    });

    it('machine.online when the machine first speaks, once', async () => {
      await machine.connect();
      await eventually(() => events('machine.online').length === 1, 'machine.online received');
      const [online] = events('machine.online');
      assert.ok(verifyWebhook(online!.headers, online!.body, merchant.webhook_secret));
      assert.deepEqual(Object.keys(online!.envelope).sort(), ['created_at', 'data', 'id', 'type']);
      await machine.sendHeartbeat();
      // A report sent after the heartbeat, on the same connection, is handled after it: once it is
      // acknowledged and the link and the sender are idle, an announcement would have been sent.
      const acknowledged = new Promise((resolve) => machine.once('acknowledged', resolve));
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: '999999999', used: '1', report_id: 'after-heartbeat' }));
      await acknowledged;
      await linked.server.link!.idle();
      await linked.server.callbacks.idle();
      assert.equal(events('machine.online').length, 1, 'a heartbeat of a machine already online announces nothing');
    });

    it('pickup_code.used when a code is redeemed at the keypad, with its order', async () => {
      const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
      await eventually(() => machine.codes().length === 1, 'the machine holds the code');
      const redeemed = await machine.redeem(code!.code);
      assert.equal(redeemed.ok, true);
      await eventually(() => events('pickup_code.used').length === 1, 'pickup_code.used received');
      const [used] = events('pickup_code.used');
      assert.ok(verifyWebhook(used!.headers, used!.body, merchant.webhook_secret));
      const order = await linked.store.db.selectFrom('orders').select(['id']).where('pickup_code_id', '=', code!.id).executeTakeFirstOrThrow();
      assert.equal(used!.envelope.data.pickup_code_id, code!.id);
      assert.equal(used!.envelope.data.order_id, order.id);
      assert.equal(used!.envelope.data.product_id, fixture.productId);
    });

    it('machine.offline on its goodbye, and again after a reconnect and a silence longer than the heartbeat timeout (the sweep)', async () => {
      await machine.goOffline('maintenance');
      await eventually(() => events('machine.offline').length === 1, 'machine.offline received');
      assert.equal(events('machine.offline')[0]!.envelope.data.reason, 'maintenance');
      await machine.disconnect();
      machine = simulator(linked.brokerUrl, fixture);
      await machine.connect();
      await eventually(() => events('machine.online').length === 2, 'online again');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      assert.equal(await linked.server.link!.sweepOffline(), 1);
      await eventually(() => events('machine.offline').length === 2, 'machine.offline from the sweep');
      assert.equal(events('machine.offline')[1]!.envelope.data.reason, 'no heartbeat');
      assert.equal(await linked.server.link!.sweepOffline(), 0, 'a second sweep finds nothing new to announce');
    });
  });
}
