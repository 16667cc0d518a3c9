/**
 * A machine message whose handling fails for a reason of the server's own (here a database
 * that lost a table), not of the message (src/link/inbox.ts): logged as a failure with its
 * machine and method, neither handled nor dropped, and the machine's next message is handled
 * all the same. SQLite, the real embedded broker, in process.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from '../helpers/node-test.js';
import { eventually, LinkRig, type RigMachine, type WireMachine } from '../helpers/link-rig.js';
import { createPickupCodes } from '../../src/service/pickup-codes.js';

describe('the inbox when handling a message fails (sqlite, embedded broker)', () => {
  let rig: LinkRig;
  let machine: RigMachine;
  let wire: WireMachine;
  before(async () => {
    rig = await LinkRig.start();
    machine = await rig.machine('extended');
    wire = await rig.connect(machine);
  });
  after(async () => {
    await rig?.close();
  });

  const failures = () => rig.logged('machine message failed').filter((line) => line.machine_no === machine.machineNo);
  const online = async () => (await rig.store.db.selectFrom('machines').select('is_online').where('id', '=', machine.id).executeTakeFirstOrThrow()).is_online;

  it('a redemption the database cannot record is logged as failed with its machine and method, not counted, and the next message is handled', async () => {
    const [code] = await rig.write((work) => createPickupCodes(work, machine.ref, machine.productId, 1, { codeLength: 6, expiredAt: null }));
    await wire.receivedAtLeast(1);
    await rig.write(({ trx }) => sql`drop table machine_reports`.execute(trx));
    const { handled, dropped } = structuredClone(rig.link.counters);
    await wire.send('client.pickup_codes.put', { id: String(code!.id), report_id: 'lost' });
    await eventually(() => failures().length === 1, 'the failure is logged');
    assert.deepEqual([failures()[0]!.level, failures()[0]!.method], [50, 'client.pickup_codes.put']);
    assert.equal(rig.link.counters.handled, handled);
    assert.deepEqual(rig.link.counters.dropped, dropped);
    await rig.write(({ trx }) => trx.updateTable('machines').set({ is_online: 0 }).where('id', '=', machine.id).execute());
    const before = rig.done();
    await wire.send('client.heartbeat');
    await rig.settled(before);
    assert.equal(await online(), 1);
  });

  it('a stock report that fails in the database, not by the rules, is a failure, not invalid fields', async () => {
    await rig.write(({ trx }) => sql`alter table stock_changes rename to stock_changes_gone`.execute(trx));
    const invalid = rig.link.counters.dropped.invalidFields;
    await wire.send('client.product.put', { product_id: String(machine.productId), current_inventory: '3' });
    await eventually(() => failures().some((line) => line.method === 'client.product.put'), 'the failure is logged');
    await rig.link.idle();
    assert.equal(rig.link.counters.dropped.invalidFields, invalid);
    const failure = failures().find((line) => line.method === 'client.product.put')!;
    assert.match((failure.err as { message: string }).message, /stock_changes/, 'the database error itself is logged');
  });

  it("an original machine's subscription whose catch-up fails is logged as failed, without a method", async () => {
    const original = await rig.machine();
    await rig.write(({ trx }) => sql`alter table pickup_codes rename to pickup_codes_away`.execute(trx));
    try {
      await (await rig.connect(original, false)).listen();
      await eventually(() => rig.logged('machine message failed').some((line) => line.machine_no === original.machineNo), 'the failure is logged');
      const failure = rig.logged('machine message failed').find((line) => line.machine_no === original.machineNo)!;
      assert.equal(failure.method, '');
    } finally {
      await rig.write(({ trx }) => sql`alter table pickup_codes_away rename to pickup_codes`.execute(trx));
    }
  });
});
