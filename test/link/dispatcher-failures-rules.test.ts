/**
 * The outbox dispatcher when the database fails it (src/link/dispatcher.ts): a round or a
 * machine's batch that fails is logged, its rows stay unsent, and the next wake-up sends them.
 * The failure here is a table renamed away in the transaction that queued the row, so the
 * dispatcher woken by that commit meets it. SQLite, the real embedded broker, in process.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from '../helpers/node-test.js';
import { LinkRig, type RigMachine, type WireMachine } from '../helpers/link-rig.js';
import { codeDeletedMessage } from '../../src/protocol/machine-messages.js';
import * as outbox from '../../src/store/repositories/outbox.repository.js';

describe('the outbox dispatcher when the database fails it (sqlite, embedded broker)', () => {
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

  const failures = () => rig.logged('outbox dispatch failed');
  const unsent = async () => (await rig.store.db.selectFrom('outbox').select('id').where('machine_id', '=', machine.id).where('sent_at', 'is', null).execute()).length;

  /** Queues a delete of `codeId` and, in the same transaction, renames `table` to `renamed` (or back). */
  const queueAndRename = (codeId: number, table: string, renamed: string) =>
    rig.write(async (work) => {
      await outbox.enqueue(work, machine.id, [codeDeletedMessage(codeId)], work.now);
      await sql`alter table ${sql.table(table)} rename to ${sql.table(renamed)}`.execute(work.trx);
    });

  it('a round that cannot look for unsent rows is logged as an error; the rows go at the next wake-up', async () => {
    const logged = failures().length;
    await rig.write(async (work) => {
      await outbox.enqueue(work, machine.id, [codeDeletedMessage(1)], work.now);
      await sql`alter table outbox rename to outbox_away`.execute(work.trx);
    });
    await rig.link.idle();
    assert.equal(failures().length, logged + 1);
    assert.deepEqual([failures().at(-1)!.level, typeof failures().at(-1)!.err], [50, 'object']);
    await rig.write(({ trx }) => sql`alter table outbox_away rename to outbox`.execute(trx));
    await rig.write((work) => outbox.enqueue(work, machine.id, [codeDeletedMessage(2)], work.now));
    await rig.link.idle();
    assert.equal(await unsent(), 0);
    assert.deepEqual((await wire.receivedAtLeast(2)).map((message) => message.fields.id), ['1', '2']);
  });

  it("a machine's batch that fails is logged as an error, and the machine is served again at the next wake-up", async () => {
    const logged = failures().length;
    const seen = wire.received.length;
    await queueAndRename(3, 'merchants', 'merchants_away');
    await rig.link.idle();
    assert.equal(failures().length, logged + 1);
    assert.deepEqual([failures().at(-1)!.level, typeof failures().at(-1)!.err], [50, 'object'], 'an error, with the error');
    assert.equal(await unsent(), 1);
    await queueAndRename(4, 'merchants_away', 'merchants');
    await rig.link.idle();
    assert.equal(await unsent(), 0);
    assert.deepEqual((await wire.receivedAtLeast(seen + 2)).slice(seen).map((message) => message.fields.id), ['3', '4']);
  });
});
