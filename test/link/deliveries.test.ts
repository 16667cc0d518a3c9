/**
 * From code to item (issue 11, parts 1-4), end to end on every store: a real server, its
 * embedded broker and simulated machines. A consumed code's order is delivered; the machine
 * vends and reports; the record, the delivery and the stock follow what it said (or its
 * silence). One vend at a time per machine, nothing commanded twice, a re-sent result counted once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { createProduct } from '../../src/service/admin.js';
import { deliverTestVend } from '../../src/service/deliveries.js';
import { cancelAllPickupCodes } from '../../src/service/pickup-codes.js';
import * as machinesRepository from '../../src/store/repositories/machines.repository.js';
import { OpenApiError } from '../../src/client/index.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { eventually, LinkedServer, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { asMerchant, type ApiAnswer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

const TIMEOUT_SECONDS = 2;

for (const kind of storeKinds()) {
  describe(`deliveries (${kind.name})`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    const machines: MachineSimulator[] = [];
    before(async () => {
      linked = await LinkedServer.start(
        kind,
        { mode: 'embedded', host: '127.0.0.1', port: 0 },
        {},
        { config: { deliveryResultTimeoutSeconds: TIMEOUT_SECONDS, rateLimitPerMinute: 0 }, housekeeping: { deliveryTimeoutIntervalMs: 200 } },
      );
    });
    after(async () => {
      for (const machine of machines) await machine.disconnect();
      await linked.close();
    });

    /** A machine with a product of 200 items, online through a simulator vending as told. */
    async function onlineMachine(options: Parameters<typeof simulator>[2] = {}): Promise<{ fixture: LinkFixture; machine: MachineSimulator }> {
      const fixture = await seedMachine(linked.store);
      const machine = simulator(linked.brokerUrl, fixture, { vendMs: 100, ...options });
      machines.push(machine);
      await machine.connect();
      const api = asMerchant(linked.server.url, fixture.merchant);
      await eventually(async () => (await api(`/rent/machines/${fixture.machineNo}`, undefined)).body.data.is_online === true, 'the machine is online');
      return { fixture, machine };
    }

    function api(fixture: LinkFixture) {
      const call = asMerchant(linked.server.url, fixture.merchant);
      const machine_no = fixture.machineNo;
      return {
        call,
        /** A code made and consumed: the order and its record. */
        async consumed(): Promise<{ orderId: number; recordId: number; code: number }> {
          const made = await call('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id: String(fixture.productId), count: '1' });
          const code = made.body.data.codes[0];
          const consumed = await call('/consumes', { machine_no, method: 'event.consume.pickup_code', code: code.code, product_id: String(fixture.productId), trade_id: tradeId(), notify_url: 'https://merchant.example/notify' });
          assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
          return { orderId: consumed.body.data.order_id, recordId: consumed.body.data.records[0].id, code: code.id };
        },
        deliver: (orderId: number, recordId: number) => call('/deliveries', { machine_no, method: 'device.delivery.put', order_id: String(orderId), record_id: String(recordId) }),
        delivery: (id: string) => call(`/deliveries/${id}`, { machine_no }),
        order: (id: number) => call(`/orders/${id}`, { machine_no }),
      };
    }

    async function inventory(productId: number): Promise<number> {
      return (await linked.store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow()).inventory;
    }

    async function settled(merchantApi: ReturnType<typeof api>, deliveryId: string, words: string, timeoutMs = 5000): Promise<ApiAnswer> {
      let answer: ApiAnswer | undefined;
      await eventually(async () => (answer = await merchantApi.delivery(deliveryId)).body.data.status === words, `delivery ${deliveryId} is ${words}`, timeoutMs);
      return answer!;
    }

    it('consume → delivery → the machine vends → the record is IS_SUCCESS, the delivery 出货完成 with pickup_at, the item stays out of stock', async () => {
      const { fixture } = await onlineMachine();
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      assert.equal(await inventory(fixture.productId), 199, 'the consume took the item');
      const started = await merchant.deliver(orderId, recordId);
      assert.equal(started.body.code, 0, JSON.stringify(started.body));
      assert.equal(started.body.data.status, '未取货或正在出货');
      assert.match(started.body.data.delivery_id, /^[0-9]+$/);
      const during = await merchant.order(orderId);
      assert.ok(['IS_DELIVERING', 'IS_SUCCESS'].includes(during.body.data.records[0].status));
      const state = await settled(merchant, started.body.data.delivery_id, '出货完成');
      assert.ok(state.body.data.pickup_at, 'pickup_at once out');
      assert.equal(state.body.data.fail_reason, undefined);
      const order = await merchant.order(orderId);
      assert.equal(order.body.data.status, 'PICKUPCODE');
      assert.equal(order.body.data.records[0].status, 'IS_SUCCESS');
      assert.equal(await inventory(fixture.productId), 199);
    });

    it('a jam → IS_FAILED with the reason, the item back in stock, the code still USED', async () => {
      const { fixture } = await onlineMachine({ fault: 'jam' });
      const merchant = api(fixture);
      const { orderId, recordId, code } = await merchant.consumed();
      const started = await merchant.deliver(orderId, recordId);
      const state = await settled(merchant, started.body.data.delivery_id, '出货失败');
      assert.equal(state.body.data.fail_reason, 'Goods are Stuck');
      assert.equal((await merchant.order(orderId)).body.data.records[0].status, 'IS_FAILED');
      assert.equal(await inventory(fixture.productId), 200, 'the item did not leave: back in stock');
      const row = await linked.store.db.selectFrom('pickup_codes').select('status').where('id', '=', code).executeTakeFirstOrThrow();
      assert.equal(row.status, 'USED');
    });

    it('no reply → IS_TIMEOUT after the (shortened) timeout, the item back in stock, and the machine free again', async () => {
      const { fixture, machine } = await onlineMachine({ fault: 'no-reply' });
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      const started = await merchant.deliver(orderId, recordId);
      const state = await settled(merchant, started.body.data.delivery_id, '出货超时', (TIMEOUT_SECONDS + 3) * 1000);
      assert.ok(state.body.data.fail_reason);
      assert.equal((await merchant.order(orderId)).body.data.records[0].status, 'IS_TIMEOUT');
      assert.equal(await inventory(fixture.productId), 200);
      machine.vending.fault = 'none';
      const next = await merchant.consumed();
      assert.equal((await merchant.deliver(next.orderId, next.recordId)).body.code, 0, 'the timeout released the lock');
    });

    it('a second delivery while the machine vends is refused 30005 and changes nothing; after the result the machine takes the next', async () => {
      const { fixture } = await onlineMachine({ vendMs: 1200 });
      const merchant = api(fixture);
      const first = await merchant.consumed();
      const second = await merchant.consumed();
      const started = await merchant.deliver(first.orderId, first.recordId);
      assert.equal(started.body.code, 0);
      const refused = await merchant.deliver(second.orderId, second.recordId);
      assert.equal(refused.body.code, 30005, JSON.stringify(refused.body));
      assert.deepEqual(refused.body.data, {});
      assert.equal((await merchant.order(second.orderId)).body.data.records[0].status, 'WAITING_PICKED_UP', 'the refused record still waits');
      await settled(merchant, started.body.data.delivery_id, '出货完成');
      const again = await merchant.deliver(second.orderId, second.recordId);
      assert.equal(again.body.code, 0, 'the result freed the machine at once');
      await settled(merchant, again.body.data.delivery_id, '出货完成');
    });

    it('two deliveries sent at once for two records of one machine: exactly one is commanded', async () => {
      const { fixture } = await onlineMachine({ vendMs: 500 });
      const merchant = api(fixture);
      const [a, b] = [await merchant.consumed(), await merchant.consumed()];
      const answers = await Promise.all([merchant.deliver(a.orderId, a.recordId), merchant.deliver(b.orderId, b.recordId)]);
      assert.deepEqual(answers.map((answer) => answer.body.code).sort(), [0, 30005]);
      const vends = await linked.store.db.selectFrom('outbox').select('id').where('method', '=', MACHINE_METHOD.VEND).where('body', 'like', '%"order_type":"normal"%').execute();
      const ofMachine = await linked.store.db.selectFrom('deliveries').select('id').where('order_id', 'in', [a.orderId, b.orderId]).execute();
      assert.equal(ofMachine.length, 1, 'one delivery row');
      assert.ok(vends.length >= 1);
    });

    it('the same record is never commanded twice: a second delivery of it is refused 80004', async () => {
      const { fixture } = await onlineMachine();
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      const started = await merchant.deliver(orderId, recordId);
      await settled(merchant, started.body.data.delivery_id, '出货完成');
      assert.equal((await merchant.deliver(orderId, recordId)).body.code, 80004);
    });

    it('a result sent again is handled once: the stock moves once and the machine is acknowledged each time', async () => {
      const { fixture, machine } = await onlineMachine({ fault: 'jam' });
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      const started = await merchant.deliver(orderId, recordId);
      const deliveryId = started.body.data.delivery_id as string;
      await settled(merchant, deliveryId, '出货失败');
      assert.equal(await inventory(fixture.productId), 200);
      const duplicatesBefore = linked.server.link!.counters.duplicates;
      const resent = machine.message(MACHINE_METHOD.VEND_RESULT, { delivery_id: deliveryId, report_id: `v${deliveryId}`, deliver_status: '0', floor_status: '2', error_msg: 'Goods are Stuck' });
      await machine.publishRaw(SERVER_TOPIC, resent);
      await machine.publishRaw(SERVER_TOPIC, resent);
      // At least: the counter is the link's, and an earlier test's machine may re-send its own report meanwhile.
      await eventually(() => linked.server.link!.counters.duplicates >= duplicatesBefore + 2, 'both re-sent results were seen as duplicates');
      assert.equal(await inventory(fixture.productId), 200, 'the item was put back once');
      await eventually(() => machine.vending.unacknowledged() === 0, 'the machine holds no unacknowledged result');
    });

    it('a machine marked offline whose next message is a vend result is online again, and its merchant hears machine.online once, as after any other message', async () => {
      const { fixture, machine } = await onlineMachine();
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      const deliveryId = (await merchant.deliver(orderId, recordId)).body.data.delivery_id as string;
      await settled(merchant, deliveryId, '出货完成');
      const merchantId = fixture.merchant.merchant_id;
      const onlineEvents = async () =>
        (await linked.store.db.selectFrom('callbacks').select('id').where('merchant_id', '=', merchantId).where('event_type', '=', 'machine.online').execute()).length;
      // The merchant listens to events; the machine is offline, as the sweep leaves a machine it has not heard from.
      await linked.store.write(BY_TEST, async ({ trx }) => {
        await trx.updateTable('merchants').set({ webhook_url: 'https://merchant.example/events' }).where('id', '=', merchantId).execute();
        await trx.updateTable('machines').set({ is_online: 0 }).where('machine_no', '=', fixture.machineNo).execute();
      });
      const eventsBefore = await onlineEvents();
      const handledBefore = linked.server.link!.counters.byMethod.handled[MACHINE_METHOD.VEND_RESULT] ?? 0;
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.VEND_RESULT, { delivery_id: deliveryId, report_id: `v${deliveryId}`, deliver_status: '1', floor_status: '1', error_msg: '' }));
      // Read until online. The link's counters are shared by every machine of this file (an
      // earlier test's simulator may re-send its own report meanwhile), so they cannot tell
      // this message from another; the machine's own answer can.
      let seen: unknown;
      await eventually(async () => {
        seen = (await merchant.call(`/rent/machines/${fixture.machineNo}`, undefined)).body;
        return (seen as { data?: { is_online?: boolean } }).data?.is_online === true;
      }, 'the machine reads online after its vend result').catch((error: Error) => assert.fail(`${error.message}; last answer ${JSON.stringify(seen)}`));
      assert.ok((linked.server.link!.counters.byMethod.handled[MACHINE_METHOD.VEND_RESULT] ?? 0) > handledBefore, 'the vend result was handled');
      assert.equal(await onlineEvents(), eventsBefore + 1, 'one machine.online event queued');
    });

    it('an offline machine: 30002, and nothing is written', async () => {
      const fixture = await seedMachine(linked.store);
      const merchant = api(fixture);
      const { orderId, recordId } = await merchant.consumed();
      const answer = await merchant.deliver(orderId, recordId);
      assert.equal(answer.body.code, 30002);
      assert.equal((await merchant.order(orderId)).body.data.records[0].status, 'WAITING_PICKED_UP');
    });

    it("another merchant's order and delivery answer 80002, as unknown ones do", async () => {
      const { fixture: a } = await onlineMachine();
      const { fixture: b } = await onlineMachine();
      const merchantA = api(a);
      const merchantB = api(b);
      const { orderId, recordId } = await merchantA.consumed();
      const started = await merchantA.deliver(orderId, recordId);
      assert.equal((await merchantB.order(orderId)).body.code, 80002);
      assert.equal((await merchantB.order(99_999_999)).body.code, 80002);
      assert.equal((await merchantB.deliver(orderId, recordId)).body.code, 80002);
      assert.equal((await merchantB.delivery(started.body.data.delivery_id)).body.code, 80002);
      assert.equal((await merchantB.delivery('99999999')).body.code, 80002);
    });

    it('bad fields answer the documented envelope: 10001 naming the field, 10004 for the method', async () => {
      const { fixture } = await onlineMachine();
      const merchant = api(fixture);
      const machine_no = fixture.machineNo;
      const missing = await merchant.call('/deliveries', { machine_no, method: 'device.delivery.put', order_id: '1' });
      assert.equal(missing.body.code, 10001);
      assert.match(missing.body.message, /record_id/);
      const notNumber = await merchant.call('/deliveries', { machine_no, method: 'device.delivery.put', order_id: 'x', record_id: '1' });
      assert.match(notNumber.body.message, /order_id/);
      assert.equal((await merchant.call('/deliveries', { machine_no, method: 'device.delivery.get', order_id: '1', record_id: '1' })).body.code, 10004);
      assert.equal((await merchant.call('/orders/abc', { machine_no })).body.code, 10001);
      assert.equal((await merchant.call('/deliveries/0', { machine_no })).body.code, 10001);
      const badUrl = await merchant.call('/deliveries/debug', { machine_no, method: 'device.delivery.put', channel_name: 'A1', notify_url: 'ftp://x' });
      assert.match(badUrl.body.message, /notify_url/);
    });

    it('a vend command queued with a whole code list is still sent: a sync replaces code pushes only', async () => {
      const { fixture, machine } = await onlineMachine();
      const merchant = api(fixture);
      await merchant.call('/pickup_codes', { machine_no: fixture.machineNo, method: 'pickup_code.product.id', product_id: String(fixture.productId), count: '25' });
      await eventually(() => machine.codes().length === 25, 'the machine holds 25 codes');
      const ref = (await machinesRepository.findOwned(linked.store.db, fixture.merchant.merchant_id, fixture.machineNo))!;
      // One transaction: the vend command and a sync (above 20 cancels) wait in the outbox together.
      const started = await linked.store.write({ actor: 'test', requestId: null, at: Math.floor(Date.now() / 1000) }, async (work) => {
        await cancelAllPickupCodes(work, ref);
        return deliverTestVend(work, ref, { channelName: 'A1', notifyUrl: 'https://merchant.example/debug' }, { resultTimeoutSeconds: TIMEOUT_SECONDS });
      });
      await settled(merchant, String(started.deliveryId), '出货完成');
      await eventually(() => machine.codes().length === 0, 'the sync emptied the list');
    });

    it('the SDK: getOrder, deliver, getDelivery and testDelivery read the answers as typed values', async () => {
      const { fixture } = await onlineMachine();
      const { orderId, recordId } = await api(fixture).consumed();
      const client = clientFor(linked.server.url, fixture.merchant);
      const order = await client.getOrder(fixture.machineNo, orderId);
      assert.equal(order.status, 'PICKUPCODE');
      assert.deepEqual(order.records.map((record) => [record.id, record.status, record.notifySent]), [[recordId, 'WAITING_PICKED_UP', false]]);
      const delivery = await client.deliver(fixture.machineNo, orderId, recordId);
      assert.equal(delivery.status, 'IS_DELIVERING');
      assert.ok(delivery.deliveredAt instanceof Date);
      await eventually(async () => (await client.getDelivery(fixture.machineNo, delivery.deliveryId)).status === 'IS_SUCCESS', 'the SDK reads IS_SUCCESS');
      assert.ok((await client.getDelivery(fixture.machineNo, delivery.deliveryId)).pickupAt instanceof Date);
      await assert.rejects(client.deliver(fixture.machineNo, orderId, recordId), (error: unknown) => error instanceof OpenApiError && error.code === 80004);
      const test = await client.testDelivery(fixture.machineNo, 'A1', 'https://merchant.example/debug');
      assert.equal(test.status, 'IS_DELIVERING');
    });

    it('a test vend by channel name (deliveries/debug): vended, the item leaves stock; an unknown channel is 60001', async () => {
      const { fixture } = await onlineMachine();
      await createProduct(linked.store, { machineNo: fixture.machineNo, name: 'Belt snack', price: '1.00', capacity: 5, inventory: 5, channel: 'B7', floorType: 3 });
      const merchant = api(fixture);
      const machine_no = fixture.machineNo;
      const started = await merchant.call('/deliveries/debug', { machine_no, method: 'device.delivery.put', channel_name: 'A1', notify_url: 'https://merchant.example/debug' });
      assert.equal(started.body.code, 0, JSON.stringify(started.body));
      await settled(merchant, started.body.data.delivery_id, '出货完成');
      assert.equal(await inventory(fixture.productId), 199);
      const unknown = await merchant.call('/deliveries/debug', { machine_no, method: 'device.delivery.put', channel_name: 'Z9', notify_url: 'https://merchant.example/debug' });
      assert.equal(unknown.body.code, 60001);
      const belt = await merchant.call('/deliveries/debug', { machine_no, method: 'device.delivery.put', channel_name: 'B7', notify_url: 'https://merchant.example/debug' });
      assert.equal(belt.body.code, 0);
      const vend = await linked.store.db.selectFrom('outbox').select('body').where('method', '=', MACHINE_METHOD.VEND).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      const fields = JSON.parse(vend.body);
      assert.equal(fields.floor_type, '3');
      assert.equal(fields.code, '7');
      assert.equal(fields.order_type, 'test');
      const lock = await linked.store.db.selectFrom('delivery_locks').selectAll().where('delivery_id', '=', Number(belt.body.data.delivery_id)).executeTakeFirst();
      if (lock) assert.equal(lock.locked_until - (await linked.store.db.selectFrom('deliveries').select('created_at').where('id', '=', lock.delivery_id).executeTakeFirstOrThrow()).created_at, 90, "a belt's stay time");
    });
  });
}
