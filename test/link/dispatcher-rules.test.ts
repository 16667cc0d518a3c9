/**
 * What the outbox dispatcher sends a machine for its unsent rows (src/link/dispatcher.ts):
 * an extended machine gets one sync instead of more than 20 code-list rows, an original one
 * only the docs' messages; rows go out in order, batch after batch, and are marked sent.
 * Over the real embedded broker, SQLite, in process.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from '../helpers/node-test.js';
import { LinkRig, RIG_START, type RigMachine, type WireMachine } from '../helpers/link-rig.js';
import { codeDeletedMessage, syncMessage, vendMessage, type MachineMessage } from '../../src/protocol/machine-messages.js';
import { createPickupCodes } from '../../src/service/pickup-codes.js';
import * as outbox from '../../src/store/repositories/outbox.repository.js';

const CREATE = 'client.pickup_codes.create';
const DELETE = 'client.pickup_codes.delete';
const SYNC = 'client.pickup_codes.sync';
const VEND = 'client.channel.delivery';

const testVend = (deliveryId: number) => vendMessage({ deliveryId, orderId: null, recordId: null, floorType: 3, hasLift: true, dropDetection: false, channel: 12, addr: 2, quantity: 1, deadline: RIG_START + 60 });
const orderVend = (deliveryId: number) => vendMessage({ deliveryId, orderId: 7, recordId: 8, floorType: 1, hasLift: false, dropDetection: true, channel: 3, addr: 1, quantity: 1, deadline: RIG_START + 60 });

describe('the outbox dispatcher: what each machine gets (sqlite, embedded broker)', () => {
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

  const rows = (machine: RigMachine) => rig.store.db.selectFrom('outbox').select(['id', 'method', 'sent_at']).where('machine_id', '=', machine.id).orderBy('id').execute();
  const codesOf = (machine: RigMachine, count: number) => rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, count, { codeLength: 6, expiredAt: null }));
  const queue = (machine: RigMachine, messages: MachineMessage[]) => rig.write((work) => outbox.enqueue(work, machine.id, messages, work.now));

  /** Waits for the dispatcher, then for `count` messages at the machine; returns the methods received after `seen`. */
  async function delivered(wire: WireMachine, count: number, seen = 0): Promise<string[]> {
    await rig.link.idle();
    return (await wire.receivedAtLeast(seen + count)).slice(seen).map((message) => message.method);
  }

  it('an extended machine gets 20 waiting creates as 20 messages, signed, each a code of its list, stamped with the clock; all marked sent then', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const published = rig.link.counters.byMethod.published[CREATE] ?? 0;
    rig.now = RIG_START + 7;
    const codes = await codesOf(machine, 20);
    assert.deepEqual(await delivered(wire, 20), Array<string>(20).fill(CREATE));
    rig.now = RIG_START;
    assert.deepEqual(
      wire.received.map((message) => message.fields.id),
      codes.map((code) => String(code.id)),
      'in the order they were written',
    );
    assert.deepEqual(wire.received[0], {
      method: CREATE,
      fields: { id: String(codes[0]!.id), product_id: String(machine.productId), code: codes[0]!.code, quantity: '1', expired_at: '0', expired_day: '', used: '0' },
      signed: true,
    });
    assert.deepEqual(wire.envelopes[0], { timestamp: String(RIG_START + 7), machine_id: String(machine.id), client_id: machine.machineNo, status: '0' });
    assert.equal(rig.link.counters.byMethod.published[CREATE], published + 20);
    assert.deepEqual(
      (await rows(machine)).map((row) => row.sent_at),
      Array<number>(20).fill(RIG_START + 7),
    );
  });

  it('an extended machine gets 21 waiting creates as one sync of its whole list, revision the newest row; the 21 marked sent, 20 counted superseded', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const superseded = rig.link.counters.superseded;
    const published = rig.link.counters.published;
    const codes = await codesOf(machine, 21);
    assert.deepEqual(await delivered(wire, 1), [SYNC]);
    const written = await rows(machine);
    const sync = wire.received[0]!;
    assert.equal(sync.signed, true);
    assert.equal(sync.fields.revision, String(written.at(-1)!.id));
    const list = JSON.parse(sync.fields.codes!) as Array<Record<string, string>>;
    assert.deepEqual(
      list.map((code) => code.id),
      codes.map((code) => String(code.id)),
    );
    assert.deepEqual(list[0], { id: String(codes[0]!.id), product_id: String(machine.productId), code: codes[0]!.code, quantity: '1', expired_at: '0', expired_day: '' });
    assert.equal(rig.link.counters.superseded, superseded + 20);
    assert.equal(rig.link.counters.published, published + 1);
    assert.equal(rig.link.counters.byMethod.published[SYNC]! >= 1, true);
    assert.deepEqual(
      written.map((row) => row.sent_at),
      Array<number>(21).fill(RIG_START),
    );
    assert.equal(wire.received.length, 1, 'nothing else');
  });

  it('a sync row alone goes to an extended machine as one sync, superseding nothing; its revision counts rows sent before', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    await codesOf(machine, 2);
    await delivered(wire, 2);
    const superseded = rig.link.counters.superseded;
    await queue(machine, [syncMessage()]);
    assert.deepEqual(await delivered(wire, 1, 2), [SYNC]);
    const written = await rows(machine);
    assert.equal(wire.received[2]!.fields.revision, String(written.at(-1)!.id));
    assert.equal((JSON.parse(wire.received[2]!.fields.codes!) as unknown[]).length, 2);
    assert.equal(rig.link.counters.superseded, superseded);
  });

  it('a vend command waiting with more than 20 list rows still goes out, after the sync, whatever its place among them', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const deletes = Array.from({ length: 21 }, (_, index) => codeDeletedMessage(index + 1));
    await queue(machine, [testVend(41), ...deletes, testVend(42)]);
    assert.deepEqual(await delivered(wire, 3), [SYNC, VEND, VEND]);
    assert.deepEqual(
      wire.received.slice(1).map((message) => message.fields.delivery_id),
      ['41', '42'],
    );
    assert.equal(JSON.parse(wire.received[0]!.fields.codes!).length, 0);
  });

  it('a vend command does not count toward the threshold: 20 list rows and a vend go to an extended machine as 21 messages, no sync', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const deletes = Array.from({ length: 20 }, (_, index) => codeDeletedMessage(index + 1));
    await queue(machine, [...deletes, testVend(43)]);
    assert.deepEqual(await delivered(wire, 21), [...Array<string>(20).fill(DELETE), VEND]);
  });

  it('once the link is idle after a commit that queued rows, every row is marked sent at the clock', async () => {
    const machine = await rig.machine('extended');
    await rig.connect(machine);
    rig.now = RIG_START + 9;
    await queue(machine, Array.from({ length: 70 }, (_, index) => testVend(index + 1)));
    await rig.link.idle();
    assert.deepEqual(
      (await rows(machine)).map((row) => row.sent_at),
      Array<number>(70).fill(RIG_START + 9),
    );
  });

  it('a machine that said it is extended (the operator left it on auto) gets the sync too', async () => {
    const machine = await rig.machine();
    await rig.write(({ trx }) => trx.updateTable('machines').set({ link_extended: 1 }).where('id', '=', machine.id).execute());
    const wire = await rig.connect(machine);
    await codesOf(machine, 21);
    assert.deepEqual(await delivered(wire, 1), [SYNC]);
  });

  it('70 list rows go to an extended machine as one sync over two batches, 69 superseded', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine);
    const superseded = rig.link.counters.superseded;
    await codesOf(machine, 70);
    assert.deepEqual(await delivered(wire, 1), [SYNC]);
    assert.equal(JSON.parse(wire.received[0]!.fields.codes!).length, 70);
    assert.equal(rig.link.counters.superseded, superseded + 69);
    assert.equal((await rows(machine)).filter((row) => row.sent_at === null).length, 0);
  });

  it('an original machine gets every create as its own message however many wait: 25, and 70 over two batches, in order', async () => {
    const machine = await rig.machine();
    const wire = await rig.listeningOriginal(machine);
    const first = await codesOf(machine, 25);
    assert.deepEqual(await delivered(wire, 25), Array<string>(25).fill(CREATE));
    const second = await codesOf(machine, 70);
    assert.deepEqual(await delivered(wire, 70, 25), Array<string>(70).fill(CREATE));
    assert.deepEqual(
      wire.received.map((message) => message.fields.id),
      [...first, ...second].map((code) => String(code.id)),
    );
    assert.equal((await rows(machine)).filter((row) => row.sent_at === null).length, 0);
  });

  it('an original machine gets exactly 64 waiting rows, one batch, and then rows queued later', async () => {
    const machine = await rig.machine();
    const wire = await rig.listeningOriginal(machine);
    await queue(machine, Array.from({ length: 64 }, (_, index) => codeDeletedMessage(index + 1)));
    assert.equal((await delivered(wire, 64)).length, 64);
    await queue(machine, [codeDeletedMessage(65)]);
    await delivered(wire, 1, 64);
    assert.deepEqual(
      wire.received.map((message) => Number(message.fields.id)),
      Array.from({ length: 65 }, (_, index) => index + 1),
    );
  });

  it('an original machine gets a sync as a create of each live code, queued behind the rows waiting; the sync itself is marked sent, not published', async () => {
    const machine = await rig.machine();
    const wire = await rig.listeningOriginal(machine);
    const codes = await codesOf(machine, 2);
    await delivered(wire, 2);
    const published = rig.link.counters.byMethod.published[SYNC] ?? 0;
    await queue(machine, [codeDeletedMessage(999), syncMessage(), codeDeletedMessage(998)]);
    assert.deepEqual(await delivered(wire, 4, 2), [DELETE, DELETE, CREATE, CREATE]);
    assert.deepEqual(
      wire.received.slice(2).map((message) => message.fields.id),
      ['999', '998', ...codes.map((code) => String(code.id))],
    );
    assert.equal(rig.link.counters.byMethod.published[SYNC] ?? 0, published);
    const written = await rows(machine);
    assert.deepEqual(
      written.filter((row) => row.method === SYNC).map((row) => row.sent_at),
      [RIG_START],
    );
    assert.equal(written.filter((row) => row.sent_at === null).length, 0);
  });

  it("an original machine gets a test vend as the docs' channel.debugging; an order's vend is marked sent and not sent, with no list queued", async () => {
    const machine = await rig.machine();
    const wire = await rig.listeningOriginal(machine);
    await codesOf(machine, 1);
    await delivered(wire, 1);
    const before = (await rows(machine)).length;
    await queue(machine, [orderVend(51), testVend(52)]);
    assert.deepEqual(await delivered(wire, 1, 1), ['client.channel.debugging']);
    assert.deepEqual(wire.received[1]!.fields, { floor_type: '3', is_lp: '1', is_dc: '0', code: '12', addr: '2', order_type: 'test' });
    const written = await rows(machine);
    assert.equal(written.length, before + 2, 'no create of the live list');
    assert.deepEqual(
      written.slice(before).map((row) => [row.method, row.sent_at]),
      [
        [VEND, RIG_START],
        [VEND, RIG_START],
      ],
    );
    await rig.link.idle();
    assert.equal(wire.received.length, 2);
  });

  it('the machine told to be original gets creates even after it said it is extended', async () => {
    const machine = await rig.machine('original');
    await rig.write(({ trx }) => trx.updateTable('machines').set({ link_extended: 1 }).where('id', '=', machine.id).execute());
    const wire = await rig.listeningOriginal(machine);
    await codesOf(machine, 21);
    assert.deepEqual(await delivered(wire, 21), Array<string>(21).fill(CREATE));
  });
});
