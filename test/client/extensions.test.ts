/**
 * The SDK's methods for the console's extensions, against a server with a real machine link
 * (embedded broker) and a simulated machine: what a merchant sees of a code redeemed at the
 * keypad.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import type { VendcloudClient } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { clientFor } from '../helpers/client.js';
import { brokerModes, eventually, LinkedServer, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

const embedded = brokerModes().find((mode) => mode.name === 'embedded')!;

for (const kind of storeKinds()) {
  describe(`SDK extension methods with a machine [${kind.name}]`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let fixture: LinkFixture;
    let machine: MachineSimulator;
    let client: VendcloudClient;

    before(async () => {
      linked = await LinkedServer.start(kind, embedded.mqtt());
      fixture = await seedMachine(linked.store);
      client = clientFor(linked.server.url, fixture.merchant);
      machine = simulator(linked.brokerUrl, fixture);
      await machine.connect();
    });
    after(async () => {
      await machine?.disconnect();
      await linked?.close();
    });

    it('machinesOverview shows the connected machine online, recently seen, with its live codes', async () => {
      await client.createPickupCodes(fixture.machineNo, { productId: fixture.productId, count: 2 });
      const [overview] = await client.machinesOverview();
      assert.equal(overview!.machineNo, fixture.machineNo);
      assert.equal(overview!.isOnline, true);
      assert.equal(overview!.operating, true);
      assert.equal(overview!.pickupCodesEnabled, true);
      assert.ok(overview!.lastSeenAt instanceof Date && Date.now() - overview!.lastSeenAt.getTime() < 60_000);
      assert.equal(overview!.liveCodes, 2);
      assert.deepEqual(await client.liveCodeCounts(fixture.machineNo), [{ productId: fixture.productId, liveCodes: 2 }]);
    });

    it('a code redeemed at the keypad: history shows the create by the merchant, its push sent, the redeem by the machine and the order', async () => {
      const [code] = await client.createPickupCodes(fixture.machineNo, { productId: fixture.productId });
      await eventually(() => machine.codes().some((held) => held.code === code!.code), 'the machine holds the new code');
      const redeemed = await machine.redeem(code!.code);
      assert.equal(redeemed.ok, true);
      let life = await client.pickupCodeHistory(fixture.machineNo, code!.id);
      await eventually(async () => {
        life = await client.pickupCodeHistory(fixture.machineNo, code!.id);
        return life.code.status === 'USED' && life.pushes.every((push) => push.sentAt);
      }, 'the server recorded the redemption and the push as sent');
      assert.deepEqual(
        life.events.map((event) => [event.action, event.fromStatus, event.toStatus, event.actor]),
        [
          ['create', undefined, 'UNUSED', `merchant:${fixture.merchant.merchant_id}`],
          ['redeem', 'UNUSED', 'USED', `machine:${fixture.machineNo}`],
        ],
      );
      assert.ok(life.events[0]!.requestId, 'the create names its request');
      // The create, and the delete the redemption pushes back (a create on its way must not bring the code back).
      assert.deepEqual(
        life.pushes.map((push) => push.method),
        ['client.pickup_codes.create', 'client.pickup_codes.delete'],
      );
      assert.ok(life.pushes.every((push) => push.sentAt instanceof Date));
      assert.equal(life.order?.pickupCodeId, code!.id);
      assert.equal(life.order?.tradeId, undefined, 'a keypad redemption has no merchant trade id');
      assert.equal(life.code.orderId, life.order?.orderId);
    });
  });
}
