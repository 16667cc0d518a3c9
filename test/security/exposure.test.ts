/**
 * What an attacker could read or replay: the console's source maps are not served, and a
 * signed machine message replayed days later (its timestamp far from the server's clock) is
 * dropped and counted while fresh ones are handled.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from '../helpers/node-test.js';
import { request } from 'undici';
import { encodeMachineMessage, MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { eventually, LinkedServer, seedMachine, simulator } from '../helpers/link.js';
import { startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const CONSOLE_ASSETS = fileURLToPath(new URL('../../console/assets/', import.meta.url));

describe('the console does not hand out its source', () => {
  it('every built source map answers 404, and no bundle points to one', async () => {
    const files = readdirSync(CONSOLE_ASSETS);
    const maps = files.filter((file) => file.endsWith('.map'));
    const bundles = files.filter((file) => file.endsWith('.js') || file.endsWith('.css'));
    assert.ok(bundles.length > 0, 'the console is built');
    const server = await startTestServer(storeKinds()[0]!);
    try {
      for (const map of [...maps, ...bundles.map((bundle) => `${bundle}.map`)]) {
        const answer = await request(`${server.url}/console/assets/${map}`);
        await answer.body.text();
        assert.equal(answer.statusCode, 404, map);
      }
      for (const bundle of bundles) {
        const answer = await request(`${server.url}/console/assets/${bundle}`);
        assert.equal(answer.statusCode, 200, bundle);
        assert.doesNotMatch(await answer.body.text(), /sourceMappingURL/, bundle);
      }
    } finally {
      await server.close();
    }
  });
});

for (const kind of storeKinds()) {
  describe(`replayed machine messages (${kind.name})`, { skip: kind.skip }, () => {
    it('a message whose timestamp is two days off is dropped and counted; a fresh one is handled', async () => {
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 });
      try {
        const fixture = await seedMachine(linked.store);
        const machine = simulator(linked.brokerUrl, fixture, { heartbeatSeconds: 3600 });
        await machine.connect();
        const counters = linked.server.link!.counters;
        const before = counters.dropped.farOffTimestamp;
        const heartbeat = (networkType: string, timestamp: number) =>
          encodeMachineMessage({ machineId: 0, machineNo: fixture.machineNo, method: MACHINE_METHOD.HEARTBEAT, timestamp }, { network_type: networkType, network_rssi: '-60', uptime_minutes_today: '1' }, fixture.merchant.appid);
        const now = Math.floor(Date.now() / 1000);
        await machine.publishRaw(SERVER_TOPIC, heartbeat('replayed', now - 2 * 86_400));
        await machine.publishRaw(SERVER_TOPIC, heartbeat('fresh', now));
        const networkType = async () =>
          (await linked.store.db.selectFrom('machines').select('network_type').where('machine_no', '=', fixture.machineNo).executeTakeFirstOrThrow()).network_type;
        // One machine's messages are handled in order: once the fresh one is recorded, the replayed one was judged.
        await eventually(async () => (await networkType()) === 'fresh', 'the fresh heartbeat is recorded');
        assert.equal(counters.dropped.farOffTimestamp, before + 1);
        await machine.disconnect();
      } finally {
        await linked.close();
      }
    });
  });
}
