/**
 * A machine on the original firmware (issue 18): a raw MQTT client that speaks only the
 * original platform's MQTT pages (test/helpers/docs-machine.ts), against the embedded aedes
 * and the local Mosquitto, on every store. It gets each change as the docs' create and delete
 * messages, and nothing it does not know.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import { DocsMachine } from '../helpers/docs-machine.js';
import { brokerModes, eventually, LinkedServer, merchantApi, sameIds, seedMachine, type LinkFixture } from '../helpers/link.js';
import { tradeId } from '../helpers/client.js';
import { asMerchant } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  for (const mode of brokerModes()) {
    describe(`a machine on the original firmware (${kind.name}, ${mode.name} broker)`, needs(kind, ...mode.needs), () => {
      let linked: LinkedServer;
      const machines: DocsMachine[] = [];
      const connect = async (fixture: LinkFixture) => {
        const machine = new DocsMachine(linked.brokerUrl, fixture);
        machines.push(machine);
        await machine.connect();
        return machine;
      };
      const live = async (api: ReturnType<typeof merchantApi>) => (await api.query('UNUSED')).map((code) => code.id).sort((a, b) => a - b);

      before(async () => {
        linked = await LinkedServer.start(kind, mode.mqtt());
      });
      after(async () => {
        for (const machine of machines) await machine.disconnect();
        await linked?.close();
      });

      it('gets 5 and then 30 created codes one by one, loses a cancelled one and then all at a cancel-all, and never a message it does not know', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const five = await api.createCodes(5);
        await eventually(() => sameIds(machine.heldIds(), five.map((c) => c.id)), 'the machine holds the 5 codes');
        const thirty = await api.createCodes(30);
        const all = [...five, ...thirty].map((c) => c.id);
        await eventually(() => sameIds(machine.heldIds(), all), 'the machine holds all 35 codes');
        assert.equal(machine.codes.get(String(thirty[0]!.id))!.code, thirty[0]!.code);
        await api.cancel(thirty[3]!.id);
        await eventually(() => !machine.codes.has(String(thirty[3]!.id)), 'the cancelled code left the machine');
        assert.equal(await api.cancelAll(), 34);
        await eventually(() => machine.codes.size === 0, 'the cancel-all emptied the machine');
        assert.deepEqual(machine.ignored, [], 'no sync, no acknowledgement, nothing but the docs messages');
      });

      it('a redemption sent with machine_id "000" and no report id counts once as a pickup (no delivery may vend it again); sent again, nothing happens and nothing fails', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const [code] = await api.createCodes(1);
        await eventually(() => machine.codes.size === 1, 'the machine holds the code');
        await machine.send('client.pickup_codes.put', { id: String(code!.id), used: '1' });
        let used: Awaited<ReturnType<typeof api.query>> = [];
        await eventually(async () => (used = await api.query('USED')).length === 1, 'the code is USED');
        assert.ok(used[0]!.order_id, 'an order records the redemption');
        const handled = linked.server.link!.counters.handled;
        await machine.send('client.pickup_codes.put', { id: String(code!.id), used: '1' });
        await eventually(() => linked.server.link!.counters.handled === handled + 1, 'the repeat was handled');
        const orders = await linked.store.db.selectFrom('orders').select('id').where('pickup_code_id', '=', code!.id).execute();
        assert.equal(orders.length, 1, 'one order, not two');
        // The item left at the keypad: its record is picked up, and no delivery can vend it again.
        const record = await linked.store.db.selectFrom('order_records').select(['id', 'status']).where('order_id', '=', orders[0]!.id).executeTakeFirstOrThrow();
        assert.equal(record.status, 'IS_PICKED_UP');
        await linked.store.write(BY_TEST, ({ trx }) => trx.updateTable('machines').set({ link_mode: 'extended', is_online: 1 }).where('machine_no', '=', fixture.machineNo).execute());
        const call = asMerchant(linked.server.url, fixture.merchant);
        const delivery = await call('/deliveries', { machine_no: fixture.machineNo, method: 'device.delivery.put', order_id: String(orders[0]!.id), record_id: String(record.id) });
        assert.equal(delivery.body.code, 80004);
      });

      it('a heartbeat with machine_id "000" is kept: the machine is online with its network type and signal, shown with its link profile', async () => {
        const fixture = await seedMachine(linked.store);
        const machine = await connect(fixture);
        await machine.send('client.heartbeat', { network_type: '4G', network_rssi: '-67', uptime_minutes_today: '42' });
        await eventually(async () => {
          const row = await linked.store.db.selectFrom('machines').select(['is_online', 'network_type', 'network_rssi']).where('machine_no', '=', fixture.machineNo).executeTakeFirstOrThrow();
          return row.is_online === 1 && row.network_type === '4G' && row.network_rssi === '-67';
        }, 'the heartbeat was recorded');
        const overview = await asMerchant(linked.server.url, fixture.merchant)('/machines/overview', { machine_no: fixture.machineNo });
        const [shown] = overview.body.data;
        assert.deepEqual([shown.network_type, shown.network_rssi, shown.link_profile], ['4G', '-67', 'original'], "the machine's page shows them, and its link profile");
      });

      it('back from an absence during which codes were created and cancelled, it holds exactly the live codes within seconds', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        await machine.send('client.heartbeat', { network_type: '4G', network_rssi: '-67', uptime_minutes_today: '1' });
        const before = await api.createCodes(4);
        await eventually(() => machine.codes.size === 4, 'the machine holds 4 codes');
        machine.crash();
        const online = async () => (await linked.store.db.selectFrom('machines').select('is_online').where('machine_no', '=', fixture.machineNo).executeTakeFirstOrThrow()).is_online;
        await eventually(async () => (await online()) === 0, 'the last will marked it offline');
        await api.cancel(before[0]!.id);
        const during = await api.createCodes(25);
        await api.cancel(during[2]!.id);
        // The firmware keeps its list through the absence; its new session starts clean.
        await machine.connect();
        await machine.send('client.heartbeat', { network_type: '4G', network_rssi: '-70', uptime_minutes_today: '2' });
        const expected = await live(api);
        assert.equal(expected.length, 3 + 24);
        await eventually(() => sameIds(machine.heldIds(), expected), 'the machine holds exactly the live codes', 5000);
        assert.deepEqual(machine.ignored, []);
      });

      it('a delivery is refused at once with 30006 (no vend command in that firmware); a test vend reaches it as the docs\' client.channel.debugging', async () => {
        const fixture = await seedMachine(linked.store);
        const machine = await connect(fixture);
        await machine.send('client.heartbeat', { network_type: '4G', network_rssi: '-67', uptime_minutes_today: '1' });
        const api = merchantApi(linked.server.url, fixture);
        const call = asMerchant(linked.server.url, fixture.merchant);
        const machine_no = fixture.machineNo;
        const [code] = await api.createCodes(1);
        const consumed = await call('/consumes', { machine_no, method: 'event.consume.pickup_code', code: code!.code, product_id: String(fixture.productId), trade_id: tradeId(), notify_url: 'https://merchant.example/notify' });
        assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
        await eventually(async () => (await linked.store.db.selectFrom('machines').select('is_online').where('machine_no', '=', machine_no).executeTakeFirstOrThrow()).is_online === 1, 'the machine is online');
        const refused = await call('/deliveries', { machine_no, method: 'device.delivery.put', order_id: String(consumed.body.data.order_id), record_id: String(consumed.body.data.records[0].id) });
        assert.equal(refused.body.code, 30006);
        const debug = await call('/deliveries/debug', { machine_no, method: 'device.delivery.put', channel_name: 'A1', notify_url: 'https://merchant.example/debug' });
        assert.equal(debug.body.code, 0, JSON.stringify(debug.body));
        await eventually(() => machine.debugging.length === 1, 'the machine got the test vend');
        const { floor_type, is_lp, is_dc, code: channel, addr, order_type } = machine.debugging[0]!;
        assert.deepEqual({ floor_type, is_lp, is_dc, channel, addr, order_type }, { floor_type: '1', is_lp: '0', is_dc: '0', channel: '1', addr: '1', order_type: 'test' });
        assert.deepEqual(machine.ignored, []);
      });

      it('changes stock with client.product.put and client.product.restock, within 0..capacity, with history; a bad report changes nothing and is counted', async () => {
        const fixture = await seedMachine(linked.store);
        const machine = await connect(fixture);
        const product_id = String(fixture.productId);
        const counters = linked.server.link!.counters;
        const stock = async () => {
          const row = await linked.store.db.selectFrom('products').select(['inventory', 'on_sale']).where('id', '=', fixture.productId).executeTakeFirstOrThrow();
          return [row.inventory, row.on_sale];
        };
        const handled = () => counters.handled;
        let before = handled();
        await machine.send('client.product.put', { product_id, lock_id: '1', current_inventory: '150', operation: '1' });
        await eventually(() => handled() === before + 1, 'the put was handled');
        assert.deepEqual(await stock(), [150, 1]);

        const dropped = counters.dropped.invalidFields;
        await machine.send('client.product.put', { product_id, current_inventory: '201' });
        await machine.send('client.product.restock', { product_ids: '["999999"]', operation: '1' });
        await machine.send('client.product.restock', { product_ids: 'not json', operation: '1' });
        await eventually(() => counters.dropped.invalidFields === dropped + 3, 'the three bad reports were dropped');
        assert.deepEqual(await stock(), [150, 1], 'above capacity, a product not of the machine, garbage: nothing changed');

        before = handled();
        await machine.send('client.product.restock', { product_ids: `["${product_id}"]`, operation: '0' });
        await eventually(() => handled() === before + 1, 'the restock off sale was handled');
        assert.deepEqual(await stock(), [150, 0], 'off sale, its stock as it was');
        await machine.send('client.product.restock', { product_ids: '[]', operation: '1' });
        await eventually(() => handled() === before + 2, 'the restock of every product was handled');
        assert.deepEqual(await stock(), [200, 1], 'on sale, refilled to capacity');

        const history = await linked.store.db.selectFrom('stock_changes').select(['inventory_from', 'inventory_to', 'on_sale_to', 'actor', 'reason']).where('product_id', '=', fixture.productId).orderBy('id').execute();
        assert.deepEqual(
          history.map((h) => [h.inventory_from, h.inventory_to, h.on_sale_to, h.reason]),
          [
            [200, 150, 1, 'product.put'],
            [150, 150, 0, 'off sale'],
            [150, 200, 1, 'restock'],
          ],
        );
        assert.ok(history.every((h) => h.actor === `machine:${fixture.machineNo}`));
      });
    });
  }
}

for (const kind of storeKinds()) {
  describe(`an original machine after a server restart (${kind.name}, embedded broker)`, needs(kind), () => {
    it('reconnecting to the restarted embedded broker, it is brought to exactly the live codes from the database', async () => {
      const [embedded] = brokerModes().filter((mode) => mode.name === 'embedded');
      const linked = await LinkedServer.start(kind, embedded!.mqtt());
      const fixture = await seedMachine(linked.store);
      const machine = new DocsMachine(linked.brokerUrl, fixture);
      try {
        await machine.connect();
        let api = merchantApi(linked.server.url, fixture);
        const before = await api.createCodes(3);
        await eventually(() => machine.codes.size === 3, 'the machine holds 3 codes');
        // The broker (and whatever it kept) goes away with the server; changes are made meanwhile.
        await linked.restart({ mode: 'off' });
        api = merchantApi(linked.server.url, fixture);
        await api.cancel(before[1]!.id);
        await api.createCodes(2);
        await linked.restart(embedded!.mqtt());
        api = merchantApi(linked.server.url, fixture);
        await machine.connect(linked.brokerUrl);
        const expected = (await api.query('UNUSED')).map((code) => code.id).sort((a, b) => a - b);
        assert.equal(expected.length, 4);
        await eventually(() => sameIds(machine.heldIds(), expected), 'the machine holds exactly the live codes');
      } finally {
        await machine.disconnect();
        await linked.close();
      }
    });
  });
}
