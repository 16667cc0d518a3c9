/**
 * Pushes to machines (MACHINE-LINK.md "Guarantees"): over a real broker, the embedded aedes
 * and the local Mosquitto, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { brokerModes, eventually, heldIds, LinkedServer, merchantApi, sameIds, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  for (const mode of brokerModes()) {
    describe(`pushes to machines (${kind.name}, ${mode.name} broker)`, needs(kind, ...mode.needs), () => {
      let linked: LinkedServer;
      const machines: MachineSimulator[] = [];
      const connect = async (fixture: LinkFixture, options = {}) => {
        const machine = simulator(linked.brokerUrl, fixture, options);
        machines.push(machine);
        await machine.connect();
        return machine;
      };

      before(async () => {
        linked = await LinkedServer.start(kind, mode.mqtt());
      });
      after(async () => {
        for (const machine of machines) await machine.disconnect();
        await linked?.close();
      });

      it('codes created through the Open API appear on the connected machine; a cancelled one leaves it', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const created = await api.createCodes(3);
        await eventually(() => sameIds(heldIds(machine), created.map((c) => c.id)), 'the machine holds the 3 new codes');
        assert.deepEqual(
          machine.codes().map((c) => c.code),
          created.map((c) => c.code),
        );
        await api.cancel(created[1]!.id);
        await eventually(() => !heldIds(machine).includes(created[1]!.id), 'the cancelled code left the machine');
        assert.deepEqual(heldIds(machine), [created[0]!.id, created[2]!.id]);
      });

      it('cancel-all empties the machine, with one delete per code or, above the threshold, one sync', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        await api.createCodes(3);
        await eventually(() => machine.codes().length === 3, 'the machine holds 3 codes');
        assert.equal(await api.cancelAll(), 3);
        await eventually(() => machine.codes().length === 0, 'the machine list is empty');

        const many = 30;
        const syncsBefore = machine.counters.syncs;
        await api.createCodes(many);
        await eventually(() => machine.codes().length === many, `the machine holds ${many} codes`);
        assert.equal(await api.cancelAll(), many);
        await eventually(() => machine.codes().length === 0, 'the machine list is empty again');
        assert.ok(machine.counters.syncs >= syncsBefore + 2, 'the big create and the big cancel each came as a sync');
      });

      it('a machine that was disconnected while codes were created and cancelled holds exactly the current list once it reconnects', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const early = await api.createCodes(4);
        await eventually(() => machine.codes().length === 4, 'the machine holds 4 codes');
        await machine.disconnect();
        await api.cancel(early[0]!.id);
        await api.cancel(early[3]!.id);
        const late = await api.createCodes(3);
        await api.cancel(late[1]!.id);
        await machine.connect();
        const current = (await api.query('UNUSED')).map((c) => c.id);
        assert.equal(current.length, 4);
        await eventually(() => sameIds(heldIds(machine), current), 'the machine holds exactly the current list');
      });

      it('the simulator says how many codes a whole list brought as a person would: "1 code", "2 codes"', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const lines: string[] = [];
        const machine = await connect(fixture, { log: (line: string) => lines.push(line) });
        const wholeList = (count: string) => lines.some((line) => new RegExp(`^whole list received \\(revision \\d+\\): ${count}$`).test(line));
        await api.createCodes(1);
        await eventually(() => machine.codes().length === 1, 'the machine holds 1 code');
        await machine.disconnect();
        await machine.connect();
        await eventually(() => wholeList('1 code'), `the pulled list is told as "1 code": ${lines.join(' | ')}`);
        await api.createCodes(1);
        await eventually(() => machine.codes().length === 2, 'the machine holds 2 codes');
        await machine.disconnect();
        await machine.connect();
        await eventually(() => wholeList('2 codes'), `the pulled list is told as "2 codes": ${lines.join(' | ')}`);
      });

      it('the same holds when the server restarts while the machine is away', async () => {
        const fixture = await seedMachine(linked.store);
        let api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const early = await api.createCodes(3);
        await eventually(() => machine.codes().length === 3, 'the machine holds 3 codes');
        await machine.disconnect();
        await api.cancel(early[1]!.id);
        await linked.restart();
        api = merchantApi(linked.server.url, fixture);
        const late = await api.createCodes(2);
        await api.cancel(late[0]!.id);
        const again = simulator(linked.brokerUrl, fixture);
        machines.push(again);
        await again.connect();
        const current = (await api.query('UNUSED')).map((c) => c.id);
        assert.deepEqual(current, [early[0]!.id, early[2]!.id, late[1]!.id]);
        await eventually(() => sameIds(heldIds(again), current), 'the reconnected machine holds exactly the current list');
      });

      it('a code redeemed at the machine becomes USED with an order, and the machine refuses it a second time', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = await connect(fixture);
        const [code] = await api.createCodes(1);
        await eventually(() => machine.codes().length === 1, 'the machine holds the code');
        const first = await machine.redeem(code!.code);
        assert.equal(first.ok, true);
        let used: Awaited<ReturnType<typeof api.query>> = [];
        await eventually(async () => (used = await api.query('USED')).length === 1, 'the Open API shows the code USED');
        assert.equal(used[0]!.id, code!.id);
        assert.equal(used[0]!.status, 'USED');
        assert.ok(used[0]!.order_id, 'an order records the redemption');
        const order = await linked.store.db.selectFrom('orders').selectAll().where('id', '=', used[0]!.order_id!).executeTakeFirstOrThrow();
        assert.equal(order.status, 'PICKUPCODE');
        assert.equal(order.pickup_code_id, code!.id);
        assert.deepEqual(await machine.redeem(code!.code), { ok: false, reason: 'unknown code' });
        assert.deepEqual(await api.query('UNUSED'), []);
      });
    });
  }
}

for (const kind of storeKinds()) {
  describe(`the outbox keeps pushes while the link is down (${kind.name}, mosquitto broker)`, needs(kind, 'mosquitto'), () => {
    it('cancels made while the server ran without a link reach a connected machine once the link is up', async () => {
      const [mosquitto] = brokerModes().filter((mode) => mode.name === 'mosquitto');
      const linked = await LinkedServer.start(kind, mosquitto!.mqtt());
      const fixture = await seedMachine(linked.store);
      // This machine never asks for its list: what it learns below can only come from the outbox.
      const machine = simulator(linked.brokerUrl, fixture, { pullOnConnect: false });
      try {
        await machine.connect();
        let api = merchantApi(linked.server.url, fixture);
        const created = await api.createCodes(5);
        await eventually(() => machine.codes().length === 5, 'the machine holds 5 codes');
        await linked.restart({ mode: 'off' });
        api = merchantApi(linked.server.url, fixture);
        await api.cancel(created[0]!.id);
        await api.cancel(created[4]!.id);
        const unsent = await linked.store.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
        assert.equal(unsent.length, 2, 'both deletes wait in the outbox');
        assert.equal(machine.codes().length, 5);
        await linked.restart(mosquitto!.mqtt());
        await eventually(() => sameIds(heldIds(machine), [created[1]!.id, created[2]!.id, created[3]!.id]), 'the queued deletes arrived');
      } finally {
        await machine.disconnect();
        await linked.close();
      }
    });
  });
}

for (const kind of storeKinds()) {
  describe(`graceful shutdown (${kind.name}, embedded broker)`, { skip: kind.skip }, () => {
    it('closing the server sends what is in the outbox before it disconnects', async () => {
      const [embedded] = brokerModes().filter((mode) => mode.name === 'embedded');
      // No poll during the test: only the shutdown flush can send the rows.
      const linked = await LinkedServer.start(kind, embedded!.mqtt(), { pollIntervalMs: 3_600_000 });
      try {
        const fixture = await seedMachine(linked.store);
        const machine = await linked.store.db.selectFrom('machines').select('id').where('machine_no', '=', fixture.machineNo).executeTakeFirstOrThrow();
        // Written behind the dispatcher's back (the raw store wakes nobody), as another
        // instance's rows would be.
        await linked.store.write(BY_TEST, ({ trx }) =>
          trx
            .insertInto('outbox')
            .values([1, 2, 3].map((id) => ({ machine_id: machine.id, method: 'client.pickup_codes.delete', body: JSON.stringify({ id: String(id) }), created_at: 1 })))
            .execute(),
        );
        await linked.restart({ mode: 'off' });
        const unsent = await linked.store.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
        assert.deepEqual(unsent, [], 'the rows left before the link closed');
      } finally {
        await linked.close();
      }
    });
  });
}
