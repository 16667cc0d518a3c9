/**
 * A code redeemed at the keypad after it was consumed through the API, cancelled, or past its
 * expiry (issue 27): the machine still gets its acknowledgement, the conflict is written to the
 * code's history, counted, announced by a signed `pickup_code.conflict` event to the merchant's
 * webhook (a loopback receiver), and a delete of the code is queued for the machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { verifyWebhook } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { DEFAULT_TIME_ZONE, formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { createMerchant, setMerchantWebhook, type NewMerchant } from '../../src/service/admin.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { Receiver, type Received } from '../helpers/receiver.js';
import { asMerchant } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`redemptions that conflict with the code's state [${kind.name}]`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let receiver: Receiver;
    let merchant: NewMerchant;
    let fixture: LinkFixture;
    let machine: MachineSimulator;
    const acknowledgements: Array<{ reportId: string; codeId: string; outcome: string }> = [];
    let reportSerial = 0;

    const events = (type: string): Array<Received & { envelope: any }> =>
      receiver
        .on('/hook')
        .map((received) => ({ ...received, envelope: JSON.parse(received.body) }))
        .filter((received) => received.envelope.type === type && received.envelope.data.machine_no === fixture.machineNo);
    const api = () => asMerchant(linked.server.url, merchant);
    const history = async (id: number) => {
      const answer = await api()('/pickup_codes/history', { machine_no: fixture.machineNo, id: String(id) });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer.body.data as { events: Array<{ action: string; from_status?: string; to_status: string; actor: string; detail?: string }> };
    };
    const deletesOf = async (id: number) =>
      (await linked.store.db.selectFrom('outbox').select('body').where('method', '=', MACHINE_METHOD.CODE_DELETED).execute()).filter((row) => JSON.parse(row.body).id === String(id)).length;
    /** The machine reports a redemption of the code, as a machine that was offline sends it on its return; resolves with the acknowledgement. */
    const report = async (id: number) => {
      const reportId = `conflict-${process.pid}-${++reportSerial}`;
      const seen = acknowledgements.length;
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(id), used: '1', report_id: reportId }));
      await eventually(() => acknowledgements.length > seen, 'the report is acknowledged');
      return { reportId, acknowledgement: acknowledgements[seen]! };
    };

    before(async () => {
      receiver = await Receiver.start();
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
      merchant = await createMerchant(linked.store, { name: 'Conflicts merchant' });
      await setMerchantWebhook(linked.store, merchant.merchant_id, { url: `${receiver.url}/hook`, allowPrivate: true });
      fixture = await seedMachine(linked.store, merchant);
      machine = simulator(linked.brokerUrl, fixture, { resendSeconds: 3600 });
      machine.on('acknowledged', (ack) => acknowledgements.push(ack));
      await machine.connect();
    });
    after(async () => {
      await machine?.disconnect();
      await linked?.close();
      await receiver?.close();
    });

    it('a keypad report of a code consumed through the API is acknowledged, written as a conflict, counted, announced signed, and its delete queued; nothing is spent twice', async () => {
      const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
      const consumed = await api()('/consumes', {
        machine_no: fixture.machineNo,
        method: 'event.consume.pickup_code',
        code: code!.code,
        product_id: String(fixture.productId),
        trade_id: `CONFLICT-${process.pid}`.padEnd(24, '0'),
        notify_url: 'https://merchant.example/n',
      });
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
      const orderId = consumed.body.data.order_id as number;
      const stock = async () => (await linked.store.db.selectFrom('products').select('inventory').where('id', '=', fixture.productId).executeTakeFirstOrThrow()).inventory;
      const stockBefore = await stock();
      const deletesBefore = await deletesOf(code!.id);
      const conflictsBefore = linked.server.link!.counters.conflicts;

      const { reportId, acknowledgement } = await report(code!.id);
      assert.equal(acknowledgement.outcome, 'already-used');

      const last = (await history(code!.id)).events.at(-1)!;
      assert.deepEqual(
        { action: last.action, from: last.from_status, to: last.to_status, actor: last.actor, detail: last.detail },
        { action: 'conflict', from: 'USED', to: 'USED', actor: `machine:${fixture.machineNo}`, detail: 'conflict: redeemed at the machine after it was used' },
      );
      assert.equal(linked.server.link!.counters.conflicts, conflictsBefore + 1);
      assert.equal(await deletesOf(code!.id), deletesBefore + 1, 'a delete of the code is queued for the machine');

      await eventually(() => events('pickup_code.conflict').length === 1, 'pickup_code.conflict received');
      const [conflict] = events('pickup_code.conflict');
      assert.ok(verifyWebhook(conflict!.headers, conflict!.body, merchant.webhook_secret), 'signed with the merchant’s webhook secret');
      assert.deepEqual(conflict!.envelope.data, {
        machine_no: fixture.machineNo,
        pickup_code_id: code!.id,
        product_id: fixture.productId,
        met: 'USED',
        order_id: orderId,
        report_id: reportId,
      });
      assert.equal(await stock(), stockBefore, 'nothing taken from stock again');
      const orders = await linked.store.db.selectFrom('orders').select('id').where('pickup_code_id', '=', code!.id).execute();
      assert.deepEqual(orders.map((order) => order.id), [orderId], 'no second order');
    });

    it('a keypad report of a cancelled code spends it (the item left) with its order, and is a conflict that met CANCELLED', async () => {
      const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
      await merchantApi(linked.server.url, fixture).cancel(code!.id);
      const { acknowledgement } = await report(code!.id);
      assert.equal(acknowledgement.outcome, 'redeemed-after-cancel');
      const last = (await history(code!.id)).events.at(-1)!;
      assert.deepEqual({ action: last.action, from: last.from_status, to: last.to_status }, { action: 'conflict', from: 'CANCELLED', to: 'USED' });
      await eventually(() => events('pickup_code.conflict').some((event) => event.envelope.data.pickup_code_id === code!.id), 'pickup_code.conflict received');
      const conflict = events('pickup_code.conflict').find((event) => event.envelope.data.pickup_code_id === code!.id)!;
      assert.equal(conflict.envelope.data.met, 'CANCELLED');
      const order = await linked.store.db.selectFrom('orders').select('id').where('pickup_code_id', '=', code!.id).executeTakeFirstOrThrow();
      assert.equal(conflict.envelope.data.order_id, order.id, 'the order the redemption made');
      await eventually(() => events('pickup_code.used').some((event) => event.envelope.data.pickup_code_id === code!.id), 'pickup_code.used received too');
    });

    it('a keypad report of a code past its expiry spends it, and is a conflict that met EXPIRED', async () => {
      const made = await api()('/pickup_codes', {
        machine_no: fixture.machineNo,
        method: 'pickup_code.product.id',
        product_id: String(fixture.productId),
        expired_at: formatWallTime(nowSeconds() + 3600, DEFAULT_TIME_ZONE),
      });
      assert.equal(made.body.code, 0, JSON.stringify(made.body));
      const code = made.body.data.codes[0] as { id: number };
      // Its expiry passes while the machine still holds it.
      await linked.store.write(BY_TEST, ({ trx }) => trx.updateTable('pickup_codes').set({ expired_at: nowSeconds() - 1 }).where('id', '=', code.id).execute());
      assert.equal((await report(code.id)).acknowledgement.outcome, 'redeemed');
      const last = (await history(code.id)).events.at(-1)!;
      assert.deepEqual({ action: last.action, from: last.from_status, to: last.to_status, detail: last.detail }, { action: 'conflict', from: 'UNUSED', to: 'USED', detail: 'conflict: redeemed at the machine after it expired' });
      await eventually(() => events('pickup_code.conflict').some((event) => event.envelope.data.pickup_code_id === code.id && event.envelope.data.met === 'EXPIRED'), 'pickup_code.conflict received');
    });

    it('a live code redeemed at the keypad is no conflict; its report sent again without a report id (old firmware) is none either', async () => {
      const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
      await eventually(() => machine.codes().some((held) => held.id === String(code!.id)), 'the machine holds the code');
      const conflictsBefore = linked.server.link!.counters.conflicts;
      await machine.redeem(code!.code);
      await eventually(() => acknowledgements.some((ack) => ack.codeId === String(code!.id)), 'the report is acknowledged');
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(code!.id), used: '1' }));
      // One machine's messages are handled in order: once a later report is acknowledged, this one was handled.
      assert.equal((await report(999_999_999)).acknowledgement.outcome, 'unknown-code');
      assert.deepEqual(
        (await history(code!.id)).events.map((event) => event.action),
        ['create', 'redeem'],
      );
      assert.equal(linked.server.link!.counters.conflicts, conflictsBefore);
    });
  });
}
