/**
 * Machine messages are verified by the same verifier as the Open API (issue 9): a machine
 * whose firmware signs as go-pansy v1.1.1 does (query-escaped, nested values flattened) is
 * heard; the PHP library's nested form, which leaves the nested content unsigned, is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { eventually, LinkedServer, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { pansyStyleSign, phpArraySign } from '../helpers/signing.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`signing forms on the machine link (${kind.name}, embedded broker)`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    before(async () => {
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 });
    });
    after(async () => linked?.close());

    /** A heartbeat as a machine's firmware builds it, with a nested `os` as pansy's own example has. */
    const heartbeat = (fixture: LinkFixture, networkType: string) => ({
      timestamp: String(nowSeconds()),
      machine_id: '0',
      client_id: fixture.machineNo,
      method: MACHINE_METHOD.HEARTBEAT,
      status: '0',
      network_type: networkType,
      network_rssi: '-70',
      os: { family: 'unix', hostname: 'debian', version: '12.0.0' },
    });
    const encoded = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields)).toString('base64');

    it('a heartbeat signed in the query-escaped form with a nested value is handled; the PHP Array form of the next one is dropped as a bad signature', async () => {
      const fixture = await seedMachine(linked.store);
      const networkType = async () =>
        (await linked.store.db.selectFrom('machines').select('network_type').where('machine_no', '=', fixture.machineNo).executeTakeFirstOrThrow()).network_type;
      const machine = simulator(linked.brokerUrl, fixture, { heartbeatSeconds: 3600 });
      await machine.connect();
      await eventually(async () => (await networkType()) === 'wifi', "the simulator's own heartbeat arrived");

      const pansy = heartbeat(fixture, '4G LTE/5G');
      await machine.publishRaw(SERVER_TOPIC, encoded({ ...pansy, sign: pansyStyleSign(pansy, fixture.merchant.appid) }));
      await eventually(async () => (await networkType()) === '4G LTE/5G', 'the pansy-signed heartbeat was recorded');

      const counters = linked.server.link!.counters;
      const badBefore = counters.dropped.badSignature;
      const php = heartbeat(fixture, 'ethernet');
      await machine.publishRaw(SERVER_TOPIC, encoded({ ...php, sign: phpArraySign(php, fixture.merchant.appid) }));
      await eventually(() => counters.dropped.badSignature === badBefore + 1, 'the PHP-signed heartbeat was dropped');
      assert.equal(await networkType(), '4G LTE/5G');
      await machine.disconnect();
    });
  });
}
