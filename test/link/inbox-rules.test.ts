/**
 * The inbox's checks and presence rules (src/link/inbox.ts), driven over the real embedded
 * broker by a machine that writes the wire form itself: what is dropped and why, a machine
 * seen, gone, extended, and the catch-up of the original firmware. SQLite, in process.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from '../helpers/node-test.js';
import { LinkRig, RIG_START, type RigMachine } from '../helpers/link-rig.js';
import { createPickupCodes } from '../../src/service/pickup-codes.js';

const HEARTBEAT = 'client.heartbeat';
const CREATE = 'client.pickup_codes.create';

describe('the inbox: drops, presence and catch-up (sqlite, embedded broker)', () => {
  let rig: LinkRig;
  before(async () => {
    rig = await LinkRig.start({ messageAgeWindowSeconds: 3600 });
  });
  after(async () => {
    await rig?.close();
  });
  beforeEach(() => {
    rig.now = RIG_START;
  });

  const machineRow = (machine: RigMachine) => rig.store.db.selectFrom('machines').selectAll().where('id', '=', machine.id).executeTakeFirstOrThrow();
  const outboxOf = (machine: RigMachine) => rig.store.db.selectFrom('outbox').select(['method', 'body']).where('machine_id', '=', machine.id).orderBy('id').execute();
  const events = (merchantId: number) => rig.store.db.selectFrom('callbacks').select(['event_type', 'body']).where('merchant_id', '=', merchantId).orderBy('id').execute();
  const lastDrop = () => rig.logged('machine message dropped').at(-1)!;

  it('bytes that are not a machine message are dropped as malformed, logged, and change nothing', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    const before = rig.done();
    const handled = rig.link.counters.handled;
    const malformed = rig.link.counters.dropped.malformed;
    await wire.sendBytes('this is not base64 of a JSON object');
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.malformed, malformed + 1);
    assert.equal(rig.link.counters.handled, handled);
    assert.equal(lastDrop().reason, 'malformed');
    assert.equal(lastDrop().level, 40);
    assert.equal((await machineRow(machine)).is_online, 0);
  });

  it('a message signed with another Appid is dropped as badSignature, logged with its machine and method; the machine is not seen', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    const before = rig.done();
    const bad = rig.link.counters.dropped.badSignature;
    await wire.send(HEARTBEAT, { network_type: 'wifi' }, { appid: 'another-merchants-appid-0000000000' });
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.badSignature, bad + 1);
    assert.deepEqual({ reason: lastDrop().reason, machine_no: lastDrop().machine_no, method: lastDrop().method }, { reason: 'badSignature', machine_no: machine.machineNo, method: HEARTBEAT });
    const row = await machineRow(machine);
    assert.deepEqual([row.is_online, row.last_seen_at], [0, null]);
  });

  it('a message of a machine the database no longer knows is dropped as unknownMachine', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    await rig.write(({ trx }) => trx.updateTable('machines').set({ machine_no: '99999999999999' }).where('id', '=', machine.id).execute());
    const before = rig.done();
    const unknown = rig.link.counters.dropped.unknownMachine;
    await wire.send(HEARTBEAT);
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.unknownMachine, unknown + 1);
    assert.equal(lastDrop().reason, 'unknownMachine');
    assert.equal(lastDrop().machine_no, machine.machineNo);
    await wire.listen();
    await rig.link.idle();
    assert.deepEqual(rig.logged('machine message failed'), [], 'its subscription is no message and fails nothing');
  });

  it('with a window of 3600 s, a message stamped 3601 s before the clock is dropped as farOffTimestamp; one 3600 s before is handled', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    const farOff = rig.link.counters.dropped.farOffTimestamp;
    let before = rig.done();
    await wire.send(HEARTBEAT, {}, { timestamp: RIG_START - 3601 });
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.farOffTimestamp, farOff + 1);
    assert.equal(lastDrop().reason, 'farOffTimestamp');
    assert.equal((await machineRow(machine)).is_online, 0);
    before = rig.done();
    await wire.send(HEARTBEAT, {}, { timestamp: RIG_START - 3600 });
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.farOffTimestamp, farOff + 1);
    assert.equal((await machineRow(machine)).is_online, 1);
  });

  it('a machine_id other than the stored id is logged at debug, cut to 32 characters, and the message still handled', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    const noted = () => rig.logged('machine_id is not the stored id').filter((line) => line.machine_no === machine.machineNo);
    let before = rig.done();
    await wire.send(HEARTBEAT, {}, { machineId: String(machine.id) });
    await wire.send(HEARTBEAT, {}, { machineId: '' });
    await rig.settled(before, 2);
    assert.deepEqual(noted(), [], 'the stored id, or none, is not noted');
    before = rig.done();
    await wire.send(HEARTBEAT, {}, { machineId: '000' });
    await wire.send(HEARTBEAT, {}, { machineId: '7'.repeat(40) });
    await rig.settled(before, 2);
    assert.deepEqual(
      noted().map((line) => [line.level, line.machine_id, line.method]),
      [
        [20, '000', HEARTBEAT],
        [20, '7'.repeat(32), HEARTBEAT],
      ],
    );
    assert.equal((await machineRow(machine)).is_online, 1);
  });

  it('a heartbeat marks the machine online and seen at the clock, with its network facts cut to 32 characters, and is counted under its method', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    rig.now = RIG_START + 50;
    const handled = rig.link.counters.byMethod.handled[HEARTBEAT] ?? 0;
    const before = rig.done();
    await wire.send(HEARTBEAT, { network_type: 'w'.repeat(40), network_rssi: '-67' });
    await rig.settled(before);
    rig.now = RIG_START;
    const row = await machineRow(machine);
    assert.deepEqual([row.is_online, row.last_seen_at, row.network_type, row.network_rssi], [1, RIG_START + 50, 'w'.repeat(32), '-67']);
    assert.equal(rig.link.counters.byMethod.handled[HEARTBEAT], handled + 1);
  });

  it('a heartbeat without network facts records them empty', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    await rig.write(({ trx }) => trx.updateTable('machines').set({ network_type: '4g', network_rssi: '-1' }).where('id', '=', machine.id).execute());
    const before = rig.done();
    await wire.send(HEARTBEAT);
    await rig.settled(before);
    const row = await machineRow(machine);
    assert.deepEqual([row.network_type, row.network_rssi], ['', '']);
  });

  it('a heartbeat saying link=extended marks the machine extended; link=original or none does not', async () => {
    const plain = await rig.machine();
    const wire = await rig.connect(plain, false);
    let before = rig.done();
    await wire.send(HEARTBEAT, { link: 'original' });
    await wire.send(HEARTBEAT);
    await rig.settled(before, 2);
    assert.equal((await machineRow(plain)).link_extended, 0);
    before = rig.done();
    await wire.send(HEARTBEAT, { link: 'extended' });
    await rig.settled(before);
    assert.equal((await machineRow(plain)).link_extended, 1);
  });

  it('an original machine heard while offline is caught up first: a create for each live code, logged with their number; online, it is not again', async () => {
    const machine = await rig.machine();
    await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 2, { codeLength: 6, expiredAt: null }));
    const wire = await rig.connect(machine, false);
    let before = rig.done();
    await wire.send(HEARTBEAT);
    await rig.settled(before);
    assert.deepEqual((await outboxOf(machine)).map((row) => row.method), [CREATE, CREATE, CREATE, CREATE], 'the two creates, then the catch-up of both codes');
    const line = rig.logged('catch-up of an original machine queued').find((candidate) => candidate.machine_no === machine.machineNo)!;
    assert.deepEqual([line.level, line.messages], [30, 2]);
    before = rig.done();
    await wire.send(HEARTBEAT);
    await rig.settled(before);
    assert.equal((await outboxOf(machine)).length, 4);
  });

  it('no catch-up for an extended machine, for an original one saying link=extended, for a pull, or for a goodbye', async () => {
    const extended = await rig.machine('extended');
    const saying = await rig.machine();
    const pulling = await rig.machine();
    const leaving = await rig.machine();
    for (const machine of [extended, saying, pulling, leaving]) await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 1, { codeLength: 6, expiredAt: null }));
    const before = rig.done();
    await (await rig.connect(extended, false)).send(HEARTBEAT);
    await (await rig.connect(saying, false)).send(HEARTBEAT, { link: 'extended' });
    await (await rig.connect(pulling, false)).send('client.pickup_codes.pull');
    await (await rig.connect(leaving, false)).send('client.offline', { reason: 'power' });
    await rig.settled(before, 4);
    assert.deepEqual((await outboxOf(extended)).map((row) => row.method), [CREATE]);
    assert.deepEqual((await outboxOf(saying)).map((row) => row.method), [CREATE]);
    assert.deepEqual((await outboxOf(pulling)).map((row) => row.method), [CREATE, 'client.pickup_codes.sync']);
    assert.deepEqual((await outboxOf(leaving)).map((row) => row.method), [CREATE]);
    assert.equal((await machineRow(leaving)).last_seen_at, null, 'a goodbye is no sign of life');
  });

  it('an original machine subscribing to its topic is caught up at once; an extended one is not', async () => {
    const original = await rig.machine();
    const extended = await rig.machine('extended');
    for (const machine of [original, extended]) await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 1, { codeLength: 6, expiredAt: null }));
    const listening = await rig.connect(original);
    await rig.connect(extended);
    const [create] = await listening.receivedAtLeast(1);
    assert.equal(create!.method, CREATE);
    await rig.link.idle();
    assert.deepEqual((await outboxOf(original)).map((row) => row.method), [CREATE, CREATE]);
    assert.deepEqual((await outboxOf(extended)).map((row) => row.method), [CREATE]);
    assert.equal((await machineRow(original)).is_online, 1, 'seen in the catch-up');
  });

  it('a pull marks the machine extended and queues one sync', async () => {
    const machine = await rig.machine();
    const wire = await rig.connect(machine, false);
    const before = rig.done();
    await wire.send('client.pickup_codes.pull');
    await rig.settled(before);
    const row = await machineRow(machine);
    assert.deepEqual([row.link_extended, row.is_online], [1, 1]);
    assert.deepEqual(await outboxOf(machine), [{ method: 'client.pickup_codes.sync', body: '{}' }]);
    assert.equal(rig.link.counters.byMethod.handled['client.pickup_codes.pull']! >= 1, true);
  });

  it('a goodbye marks the machine offline and tells the merchant, the reason cut to 32 characters; "goodbye" when it gives none', async () => {
    const machine = await rig.machine('extended', { webhook: true });
    const wire = await rig.connect(machine, false);
    let before = rig.done();
    await wire.send(HEARTBEAT);
    await wire.send('client.offline', { reason: 'r'.repeat(40) });
    await rig.settled(before, 2);
    assert.equal((await machineRow(machine)).is_online, 0);
    const line = rig.logged('machine went offline').find((candidate) => candidate.machine_no === machine.machineNo)!;
    assert.deepEqual([line.level, line.reason, line.method], [30, 'r'.repeat(32), 'client.offline']);
    before = rig.done();
    await wire.send(HEARTBEAT);
    await wire.send('client.offline');
    await rig.settled(before, 2);
    const offline = (await events(machine.merchantId)).filter((event) => event.event_type === 'machine.offline').map((event) => (JSON.parse(event.body) as { data: { reason: string } }).data.reason);
    assert.deepEqual(offline, ['r'.repeat(32), 'goodbye']);
  });

  it('a method the link does not know is dropped as unknownMethod, logged with it', async () => {
    const machine = await rig.machine('extended');
    const wire = await rig.connect(machine, false);
    const unknown = rig.link.counters.dropped.unknownMethod;
    const before = rig.done();
    await wire.send('client.something.else', { a: '1' });
    await rig.settled(before);
    assert.equal(rig.link.counters.dropped.unknownMethod, unknown + 1);
    assert.deepEqual([lastDrop().reason, lastDrop().method], ['unknownMethod', 'client.something.else']);
    await wire.send(`client.${'x'.repeat(80)}`);
    await rig.settled(before + 1);
    assert.equal(lastDrop().method, `client.${'x'.repeat(57)}`, 'cut to 64 characters');
  });

  it('the sweep marks offline the machines silent for more than the timeout (600 s), and tells their merchants "no heartbeat"', async () => {
    const machine = await rig.machine('extended', { webhook: true });
    const wire = await rig.connect(machine, false);
    const before = rig.done();
    await wire.send(HEARTBEAT);
    await rig.settled(before);
    rig.now = RIG_START + 600;
    await rig.link.sweepOffline();
    assert.equal((await machineRow(machine)).is_online, 1, 'silent for exactly the timeout: still online');
    rig.now = RIG_START + 601;
    assert.ok((await rig.link.sweepOffline()) >= 1);
    assert.equal((await machineRow(machine)).is_online, 0);
    const offline = (await events(machine.merchantId)).filter((event) => event.event_type === 'machine.offline');
    assert.deepEqual(
      offline.map((event) => JSON.parse(event.body) as { created_at: number; data: unknown }).map((event) => [event.created_at, event.data]),
      [[RIG_START + 601, { machine_no: machine.machineNo, reason: 'no heartbeat' }]],
    );
  });
});
