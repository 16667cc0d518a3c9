/**
 * The server's MQTT session on an external broker (docs/mqtt.md, "The server's session"):
 * a client id that stays the same across restarts, a persistent MQTT 5 session, and shared
 * subscriptions still spreading machine messages over several instances. On a Mosquitto of
 * the test's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import type { MqttOptions } from '../../src/config.js';
import { stableClientId } from '../../src/link/session.js';
import { startCli } from '../helpers/cli.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { startOwnMosquitto } from '../helpers/mosquitto.js';
import { closedPort, writtenRows } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

describe("the server's client id on an external broker", needs('mosquitto'), () => {
  it('is vendcloud-HOST-PORT unless --mqtt-client-id names one, always with a persistent MQTT 5 session (clean start off)', async () => {
    const mosquitto = await startOwnMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'vendcloud-session-'));
    const port = await closedPort();
    const serve = (extra: string[]) =>
      startCli(['serve', '--db', join(dir, 'vendcloud.sqlite'), '--port', String(port), '--mqtt-url', mosquitto.serverUrl, ...extra], /listening on/, { LOG_LEVEL: 'warn' });
    // Mosquitto logs each login as "… as <client id> (p<protocol>, c<clean start>, …".
    const loggedIn = (clientId: string) => mosquitto.log().includes(` as ${clientId} (p5, c0,`);
    try {
      const byDefault = serve([]);
      await byDefault.started;
      await eventually(() => loggedIn(stableClientId(port)!), `logged in as ${stableClientId(port)}`);
      await byDefault.stop();

      const named = serve(['--mqtt-client-id', 'vendcloud-blue']);
      await named.started;
      await eventually(() => loggedIn('vendcloud-blue'), 'logged in as vendcloud-blue');
      await named.stop();
    } finally {
      await mosquitto.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('there is no default for port 0, which changes with every start', () => {
    assert.equal(stableClientId(0), undefined);
    assert.equal(stableClientId(8080, 'vend box/1'), 'vendcloud-vend_box_1-8080');
  });
});

const postgres = storeKinds().find((kind) => kind.name === 'postgres');

describe('two instances in one share group (PostgreSQL)', needs(postgres!, 'mosquitto'), () => {
  it('reports Mosquitto queues for an instance that is away reach the other one through the re-sends; back, the first finds them duplicates: each redemption counted once', async () => {
    const mosquitto = await startOwnMosquitto();
    const instance = (name: string): MqttOptions => ({ mode: 'external', url: mosquitto.serverUrl, shareGroup: 'vendcloud', clientId: `vendcloud-${name}-${process.pid}` });
    const a = await LinkedServer.start(postgres!, instance('a'));
    const b = await a.alongside(instance('b'));
    const fixture = await seedMachine(a.store);
    await mosquitto.addMachine(fixture.machineNo, fixture.password);
    const machine = simulator(mosquitto.url, fixture, { resendSeconds: 0.3 });
    try {
      await machine.connect();
      const api = merchantApi(a.server.url, fixture);
      const codes = await api.createCodes(6);
      await eventually(() => machine.codes().length === 6, 'the machine holds 6 codes');

      // Mosquitto 2.0 keeps dealing an absent member its share of the group's messages, into
      // its session's queue: without re-sends, those reports would wait for b to come back.
      await b.stop();
      for (const code of codes) await machine.redeem(code.code);
      await eventually(async () => (await api.query('USED')).length === 6, 'instance a redeemed all 6 codes', 15_000);
      await eventually(() => machine.unacknowledgedReports().length === 0, 'every report is acknowledged');
      const settled = await writtenRows(a.store);

      await b.start();
      await eventually(() => b.server.link!.counters.duplicates > 0, 'b handled the reports queued for it, as duplicates');
      await b.server.link!.idle();
      assert.deepEqual(await writtenRows(a.store), settled, 'the duplicates changed nothing');
      assert.equal(settled.orders, 6);
      const reports = await a.store.db.selectFrom('machine_reports').select('pickup_code_id').execute();
      assert.deepEqual(reports.map((row) => row.pickup_code_id).sort((x, y) => x - y), codes.map((code) => code.id));
    } finally {
      await machine.disconnect();
      await b.close();
      await a.close();
      await mosquitto.stop();
    }
  });
});
