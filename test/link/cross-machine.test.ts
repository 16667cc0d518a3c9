/**
 * A machine redeems only its own codes: a keypad report naming a code of another machine (the
 * same merchant's or another merchant's) is acknowledged as an unknown code, and that code
 * stays as it was, with no order made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`a machine redeems only its own codes (${kind.name}, embedded broker)`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    let machine: MachineSimulator;
    before(async () => {
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await machine?.disconnect();
      await linked?.close();
    });

    it("a report of another machine's code, the same merchant's or another's, is acknowledged as unknown and changes nothing", async () => {
      const reporter = await seedMachine(linked.store);
      const sibling = await seedMachine(linked.store, reporter.merchant);
      const foreign = await seedMachine(linked.store);
      const [ownCode] = await merchantApi(linked.server.url, reporter).createCodes(1);
      const [siblingCode] = await merchantApi(linked.server.url, sibling).createCodes(1);
      const [foreignCode] = await merchantApi(linked.server.url, foreign).createCodes(1);
      machine = simulator(linked.brokerUrl, reporter, { resendSeconds: 3600 });
      const acknowledgements: Array<{ reportId: string; codeId: string; outcome: string }> = [];
      machine.on('acknowledged', (ack) => acknowledgements.push(ack));
      await machine.connect();

      const report = (codeId: number, reportId: string) =>
        machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(codeId), used: '1', report_id: reportId }));
      await report(siblingCode!.id, 'cross-sibling');
      await report(foreignCode!.id, 'cross-foreign');
      // The machine's own code last: its acknowledgement proves the two before were handled.
      await report(ownCode!.id, 'own');
      await eventually(() => acknowledgements.length === 3, 'three reports acknowledged');
      assert.deepEqual(Object.fromEntries(acknowledgements.map((ack) => [ack.reportId, ack.outcome])), {
        'cross-sibling': 'unknown-code',
        'cross-foreign': 'unknown-code',
        own: 'redeemed',
      });
      const rows = await linked.store.db
        .selectFrom('pickup_codes')
        .select(['id', 'status', 'order_id'])
        .where('id', 'in', [siblingCode!.id, foreignCode!.id])
        .orderBy('id')
        .execute();
      assert.deepEqual(rows, [
        { id: siblingCode!.id, status: 'UNUSED', order_id: null },
        { id: foreignCode!.id, status: 'UNUSED', order_id: null },
      ]);
    });
  });
}
