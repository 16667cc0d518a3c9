/**
 * The reports a machine sends and what the inbox answers (src/link/inbox.ts): redemptions and
 * vend results, acknowledged by report id once committed; stock reports and the keypad lock;
 * every field out of shape refused. Over the real embedded broker, SQLite, in process.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from '../helpers/node-test.js';
import { eventually, LinkRig, RIG_START, type RigMachine, type WireMachine } from '../helpers/link-rig.js';
import { cancelPickupCode, createPickupCodes } from '../../src/service/pickup-codes.js';
import { deliverTestVend } from '../../src/service/deliveries.js';

const PUT = 'client.pickup_codes.put';
const PUT_ACK = 'client.pickup_codes.put.ack';
const RESULT = 'client.channel.delivery.result';
const RESULT_ACK = 'client.channel.delivery.result.ack';

describe('the inbox: reports, acknowledgements, stock and keypad (sqlite, embedded broker)', () => {
  let rig: LinkRig;
  before(async () => {
    rig = await LinkRig.start();
  });
  after(async () => {
    await rig?.close();
  });
  beforeEach(() => {
    rig.now = RIG_START;
  });

  /** An extended machine listening on its topic (so not caught up), with one code it has received. */
  async function withCode(options: { webhook?: boolean } = {}): Promise<{ machine: RigMachine; wire: WireMachine; codeId: number }> {
    const machine = await rig.machine('extended', options);
    const wire = await rig.connect(machine);
    const [code] = await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 1, { codeLength: 6, expiredAt: null }));
    await wire.receivedAtLeast(1);
    return { machine, wire, codeId: code!.id };
  }

  /** Sends, waits for the inbox and what it sent, returns the messages received after it. */
  async function exchange(wire: WireMachine, method: string, body: Record<string, string>, answers = 0) {
    const seen = wire.received.length;
    const before = rig.done();
    await wire.send(method, body);
    await rig.settled(before);
    return (await wire.receivedAtLeast(seen + answers)).slice(seen);
  }

  const codeStatus = async (codeId: number) => (await rig.store.db.selectFrom('pickup_codes').select('status').where('id', '=', codeId).executeTakeFirstOrThrow()).status;
  const lastDrop = () => rig.logged('machine message dropped').at(-1)!;

  it('a redemption with a report id makes the code USED and is acknowledged, signed, with outcome redeemed; logged with its id', async () => {
    const { machine, wire, codeId } = await withCode();
    const { acknowledged, duplicates, conflicts } = rig.link.counters;
    rig.now = RIG_START + 30;
    const before = rig.done();
    await wire.send(PUT, { id: String(codeId), report_id: 'r-1' });
    await rig.settled(before);
    assert.equal(rig.link.counters.acknowledged, acknowledged + 1, 'acknowledged (the broker took it) once the link is idle');
    assert.deepEqual([rig.link.counters.duplicates, rig.link.counters.conflicts], [duplicates, conflicts], 'neither a duplicate nor a conflict');
    const answers = await wire.receivedAtLeast(3).then((all) => all.slice(1));
    assert.deepEqual(
      answers.filter((answer) => answer.method === PUT_ACK),
      [{ method: PUT_ACK, fields: { id: String(codeId), report_id: 'r-1', outcome: 'redeemed' }, signed: true }],
    );
    assert.deepEqual(answers.filter((answer) => answer.method !== PUT_ACK).map((answer) => answer.method), ['client.pickup_codes.delete'], 'and the spent code leaves the list');
    assert.equal(await codeStatus(codeId), 'USED');
    assert.deepEqual(wire.envelopes[wire.received.findIndex((answer) => answer.method === PUT_ACK)], { timestamp: String(RIG_START + 30), machine_id: String(machine.id), client_id: machine.machineNo, status: '0' });
    const history = await rig.store.db.selectFrom('code_history').select(['actor', 'at', 'to_status']).where('pickup_code_id', '=', codeId).where('to_status', '=', 'USED').execute();
    assert.deepEqual(history, [{ actor: `machine:${machine.machineNo}`, at: RIG_START + 30, to_status: 'USED' }], 'the machine is the author, at the clock');
    assert.ok(rig.link.counters.byMethod.acknowledged[PUT_ACK]! >= 1);
    const line = rig.logged('code redeemed at machine').find((candidate) => candidate.machine_no === machine.machineNo)!;
    assert.deepEqual([line.level, line.pickup_code_id, line.report_id, line.outcome], [30, codeId, 'r-1', 'redeemed']);
  });

  it('the same report again is acknowledged as a duplicate and counted, and changes nothing', async () => {
    const { wire, codeId } = await withCode();
    await exchange(wire, PUT, { id: String(codeId), report_id: 'r-2' }, 1);
    const duplicates = rig.link.counters.duplicates;
    const answers = await exchange(wire, PUT, { id: String(codeId), report_id: 'r-2' }, 1);
    assert.deepEqual(answers.filter((answer) => answer.method === PUT_ACK).map((answer) => answer.fields.outcome), ['duplicate']);
    assert.equal(rig.link.counters.duplicates, duplicates + 1);
  });

  it('a redemption without a report id, or with an empty one, is applied and not acknowledged', async () => {
    const { machine, wire, codeId } = await withCode();
    const [second] = await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 1, { codeLength: 6, expiredAt: null }));
    await wire.receivedAtLeast(2);
    await exchange(wire, PUT, { id: String(codeId) });
    await exchange(wire, PUT, { id: String(second!.id), report_id: '' });
    assert.deepEqual([await codeStatus(codeId), await codeStatus(second!.id)], ['USED', 'USED']);
    await wire.receivedAtLeast(4);
    assert.deepEqual(
      wire.received.map((message) => message.method),
      ['client.pickup_codes.create', 'client.pickup_codes.create', 'client.pickup_codes.delete', 'client.pickup_codes.delete'],
      'the spent codes leave the list; no acknowledgement',
    );
  });

  it('a redemption of a cancelled code is counted as a conflict and acknowledged as redeemed-after-cancel', async () => {
    const { machine, wire, codeId } = await withCode();
    await rig.write((work) => cancelPickupCode(work, machine.ref, codeId));
    await wire.receivedAtLeast(2);
    const conflicts = rig.link.counters.conflicts;
    await exchange(wire, PUT, { id: String(codeId), report_id: 'late' });
    await eventually(() => wire.received.some((answer) => answer.method === PUT_ACK), 'the report is acknowledged');
    assert.equal(wire.received.find((answer) => answer.method === PUT_ACK)!.fields.outcome, 'redeemed-after-cancel');
    assert.equal(rig.link.counters.conflicts, conflicts + 1);
  });

  it('a redemption is dropped as invalidFields when the code id is not 1 to 15 digits without a leading 0, or the report id is out of shape', async () => {
    const { wire, codeId } = await withCode();
    const invalid = rig.link.counters.dropped.invalidFields;
    const ids = ['0', '012', 'x1', '', '1234567890123456', '1.5'];
    for (const id of ids) await exchange(wire, PUT, { id });
    await exchange(wire, PUT, { id: String(codeId), report_id: 'has space' });
    await exchange(wire, PUT, { id: String(codeId), report_id: 'r'.repeat(65) });
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + ids.length + 2);
    assert.equal(await codeStatus(codeId), 'UNUSED');
    await exchange(wire, PUT, { id: '9'.repeat(40) });
    assert.deepEqual([lastDrop().reason, lastDrop().id], ['invalidFields', '9'.repeat(32)]);
    await exchange(wire, PUT, { id: '123456789012345' });
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + ids.length + 3, 'fifteen digits are an id (of no code here)');
  });

  /** An extended machine, online, with a test vend commanded to it: the delivery's id. */
  async function vending(): Promise<{ wire: WireMachine; deliveryId: number }> {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    await exchange(wire, 'client.heartbeat', {});
    const started = await rig.write((work) => deliverTestVend(work, machine.ref, { channelName: 'A1', notifyUrl: 'http://127.0.0.1:9/notify' }, { resultTimeoutSeconds: 60 }));
    await wire.receivedAtLeast(1);
    return { wire, deliveryId: started.deliveryId };
  }

  const delivery = (id: number) => rig.store.db.selectFrom('deliveries').select(['status', 'floor_status', 'fail_reason']).where('id', '=', id).executeTakeFirstOrThrow();

  it('a vend result with a report id settles the delivery and is acknowledged, signed, with outcome settled; logged', async () => {
    const { wire, deliveryId } = await vending();
    const acknowledged = rig.link.counters.acknowledged;
    const before = rig.done();
    await wire.send(RESULT, { delivery_id: String(deliveryId), report_id: 'v-1', deliver_status: '1', floor_status: '0' });
    await rig.settled(before);
    assert.equal(rig.link.counters.acknowledged, acknowledged + 1, 'a result queues no push: the link is idle only once its acknowledgement is taken');
    const answers = (await wire.receivedAtLeast(2)).slice(1);
    assert.deepEqual(answers, [{ method: RESULT_ACK, fields: { delivery_id: String(deliveryId), report_id: 'v-1', outcome: 'settled' }, signed: true }]);
    assert.deepEqual(await delivery(deliveryId), { status: 'IS_SUCCESS', floor_status: 0, fail_reason: null });
    const line = rig.logged('vend result').find((candidate) => candidate.delivery_id === deliveryId)!;
    assert.deepEqual([line.level, line.report_id, line.deliver_status, line.floor_status, line.outcome], [30, 'v-1', 1, 0, 'settled']);
  });

  it('a vend result sent again is acknowledged as a duplicate and counted; one of an unknown delivery as unknown-delivery', async () => {
    const { wire, deliveryId } = await vending();
    const result = { delivery_id: String(deliveryId), report_id: 'v-2', deliver_status: '0', floor_status: '3', error_msg: 'Goods are Stuck' };
    await exchange(wire, RESULT, result, 1);
    const duplicates = rig.link.counters.duplicates;
    const again = await exchange(wire, RESULT, result, 1);
    assert.equal(again[0]!.fields.outcome, 'duplicate');
    assert.equal(rig.link.counters.duplicates, duplicates + 1);
    assert.deepEqual(await delivery(deliveryId), { status: 'IS_FAILED', floor_status: 3, fail_reason: 'Goods are Stuck' });
    const unknown = await exchange(wire, RESULT, { ...result, delivery_id: String(deliveryId + 1000), report_id: 'v-3' }, 1);
    assert.equal(unknown[0]!.fields.outcome, 'unknown-delivery');
    assert.equal(rig.link.counters.duplicates, duplicates + 1);
  });

  it('a vend result without a report id settles and is not acknowledged; its error message is cut to 128 characters', async () => {
    const { wire, deliveryId } = await vending();
    const seen = wire.received.length;
    const acknowledged = rig.link.counters.acknowledged;
    await exchange(wire, RESULT, { delivery_id: String(deliveryId), deliver_status: '0', floor_status: '999', error_msg: 'e'.repeat(200) });
    assert.equal(rig.link.counters.acknowledged, acknowledged);
    assert.equal(wire.received.length, seen);
    assert.deepEqual(await delivery(deliveryId), { status: 'IS_FAILED', floor_status: 999, fail_reason: 'e'.repeat(128) });
  });

  it('a failed vend without an error message records its floor status as the reason', async () => {
    const { wire, deliveryId } = await vending();
    await exchange(wire, RESULT, { delivery_id: String(deliveryId), deliver_status: '0', floor_status: '3' });
    assert.deepEqual(await delivery(deliveryId), { status: 'IS_FAILED', floor_status: 3, fail_reason: 'floor status 3' });
  });

  it('a vend result is dropped as invalidFields for a bad delivery id, deliver status, floor status or report id, logged with the delivery id', async () => {
    const { wire, deliveryId } = await vending();
    const good = { delivery_id: String(deliveryId), deliver_status: '1', floor_status: '0' };
    const invalid = rig.link.counters.dropped.invalidFields;
    const bad = [
      { ...good, delivery_id: '0' },
      { ...good, delivery_id: '' },
      { ...good, deliver_status: '2' },
      { ...good, deliver_status: '' },
      { ...good, deliver_status: '10' },
      { ...good, floor_status: '1000' },
      { ...good, floor_status: '' },
      { ...good, floor_status: 'a1' },
      { ...good, report_id: 'no spaces allowed' },
    ];
    const handled = rig.link.counters.handled;
    for (const body of bad) await exchange(wire, RESULT, body);
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + bad.length);
    assert.equal(rig.link.counters.handled, handled, 'none is counted as handled');
    assert.equal((await delivery(deliveryId)).status, 'IS_DELIVERING');
    await exchange(wire, RESULT, { ...good, delivery_id: '8'.repeat(40) });
    assert.deepEqual([lastDrop().reason, lastDrop().delivery_id], ['invalidFields', '8'.repeat(32)]);
  });

  const inventory = async (productId: number) => (await rig.store.db.selectFrom('products').select(['inventory', 'on_sale']).where('id', '=', productId).executeTakeFirstOrThrow());

  it("a stock count sets the product's inventory, logged with the products changed and the lock id", async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    await exchange(wire, 'client.product.put', { product_id: String(machine.productId), current_inventory: '7', lock_id: 'L'.repeat(40) });
    assert.equal((await inventory(machine.productId)).inventory, 7);
    const line = rig.logged('stock reported by machine').find((candidate) => candidate.machine_no === machine.machineNo)!;
    assert.deepEqual([line.level, line.products, line.lock_id], [30, 1, 'L'.repeat(32)]);
    await exchange(wire, 'client.product.put', { product_id: String(machine.productId), current_inventory: '6' });
    assert.equal((await inventory(machine.productId)).inventory, 6, 'a count without a lock id');
    await exchange(wire, 'client.product.put', { product_id: String(machine.productId), current_inventory: '7' });
    await exchange(wire, 'client.product.restock', { product_ids: '[]', operation: '0' });
    assert.deepEqual(await inventory(machine.productId), { inventory: 7, on_sale: 0 }, 'taken off sale');
    const restocked = rig.logged('stock reported by machine').filter((candidate) => candidate.machine_no === machine.machineNo).at(-1)!;
    assert.deepEqual([restocked.products, 'lock_id' in restocked], [1, false]);
  });

  it('a stock count above the capacity is refused by the rules: dropped as invalidFields with the refusal, nothing changed', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const invalid = rig.link.counters.dropped.invalidFields;
    const handled = rig.link.counters.handled;
    await exchange(wire, 'client.product.put', { product_id: String(machine.productId), current_inventory: '201' });
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + 1);
    assert.equal(rig.link.counters.handled, handled);
    assert.equal(lastDrop().reason, 'invalidFields');
    assert.equal(lastDrop().refused, 'bad-inventory');
    assert.equal((await inventory(machine.productId)).inventory, 5);
    await exchange(wire, 'client.product.put', { product_id: 'x', current_inventory: '1' });
    await exchange(wire, 'client.product.restock', { product_ids: '[]', operation: '2' });
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + 3);
    assert.equal(rig.link.counters.handled, handled);
  });

  it('a keypad lock tells the merchant the wrong codes and lock seconds, logged as a warning; counts of 0, 7 digits or none are dropped', async () => {
    const machine = await rig.machine('extended', { webhook: true });
    const wire = await rig.connect(machine);
    const handled = rig.link.counters.byMethod.handled['client.keypad.locked'] ?? 0;
    await exchange(wire, 'client.keypad.locked', { wrong_codes: '5', lock_seconds: '999999' });
    assert.equal(rig.link.counters.byMethod.handled['client.keypad.locked'], handled + 1);
    const events = await rig.store.db.selectFrom('callbacks').select(['event_type', 'body']).where('merchant_id', '=', machine.merchantId).where('event_type', '=', 'machine.keypad_locked').execute();
    assert.deepEqual(events.map((event) => (JSON.parse(event.body) as { data: unknown }).data), [{ machine_no: machine.machineNo, wrong_codes: 5, lock_seconds: 999999 }]);
    const line = rig.logged('keypad locked after wrong codes').find((candidate) => candidate.machine_no === machine.machineNo)!;
    assert.deepEqual([line.level, line.wrong_codes, line.lock_seconds], [40, 5, 999999]);
    const invalid = rig.link.counters.dropped.invalidFields;
    const bad: Array<Record<string, string>> = [{ wrong_codes: '0', lock_seconds: '30' }, { wrong_codes: '5', lock_seconds: '1234567' }, { wrong_codes: '5' }, { lock_seconds: '30' }];
    for (const body of bad) await exchange(wire, 'client.keypad.locked', body);
    assert.equal(rig.link.counters.dropped.invalidFields, invalid + bad.length);
    assert.equal(lastDrop().method, 'client.keypad.locked');
  });
});
