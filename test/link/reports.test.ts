/**
 * A machine report is never lost (issue 12, item 1): the server acknowledges each report once
 * it is committed, the machine keeps and re-sends what is not acknowledged, and the server
 * recognises a re-sent report by its report id. On every store, over the embedded broker and
 * over a Mosquitto of the test's own.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import mqtt from 'mqtt';
import { MachineSimulator } from '../../src/link/machine-simulator.js';
import { parseMachineMessage } from '../../src/link/message.js';
import { encodeMachineMessage, MACHINE_METHOD, machineTopic, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import type { Store } from '../../src/store/store.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator, uniqueMachineNo, type LinkFixture } from '../helpers/link.js';
import { startOwnMosquitto, type OwnMosquitto } from '../helpers/mosquitto.js';
import { closedPort, writtenRows } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** The code is USED, with an order of status PICKUPCODE that names it. */
async function assertRedeemed(linked: LinkedServer, fixture: LinkFixture, codeId: number): Promise<void> {
  const api = merchantApi(linked.server.url, fixture);
  let used: Awaited<ReturnType<typeof api.query>> = [];
  await eventually(async () => (used = await api.query('USED')).some((code) => code.id === codeId), `code ${codeId} is USED`);
  const code = used.find((candidate) => candidate.id === codeId)!;
  assert.ok(code.order_id, 'an order records the redemption');
  const order = await linked.store.db.selectFrom('orders').selectAll().where('id', '=', code.order_id).executeTakeFirstOrThrow();
  assert.equal(order.status, 'PICKUPCODE');
  assert.equal(order.pickup_code_id, codeId);
}

async function reportRows(store: Store): Promise<number> {
  const row = await store.db.selectFrom('machine_reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const kind of storeKinds()) {
  describe(`machine reports survive a server restart (${kind.name})`, needs(kind, 'mosquitto'), () => {
    let mosquitto: OwnMosquitto;
    const machines: MachineSimulator[] = [];
    before(async () => {
      mosquitto = await startOwnMosquitto();
    });
    after(async () => {
      for (const machine of machines) await machine.disconnect();
      await mosquitto?.stop();
    });

    it('with an external Mosquitto, a code redeemed while the server is down becomes USED with its order once the server is back with the same client id', async () => {
      const serverMqtt = { mode: 'external', url: mosquitto.serverUrl, shareGroup: 'vendcloud', clientId: `vendcloud-test-${process.pid}-${kind.name}` } as const;
      const linked = await LinkedServer.start(kind, serverMqtt);
      try {
        const fixture = await seedMachine(linked.store);
        await mosquitto.addMachine(fixture.machineNo, fixture.password);
        // Neither a reconnect nor the timer re-sends here: only the broker, which queued the
        // report for the server's session, can deliver it.
        const machine = simulator(mosquitto.url, fixture, { resendSeconds: 3600 });
        machines.push(machine);
        await machine.connect();
        const codes = await merchantApi(linked.server.url, fixture).createCodes(3);
        await eventually(() => machine.codes().length === 3, 'the machine holds 3 codes');

        await linked.stop();
        const redeemed = await machine.redeem(codes[2]!.code);
        assert.equal(redeemed.ok, true, 'the machine vends and its report is taken by the broker (PUBACK)');
        assert.equal(machine.unacknowledgedReports().length, 1);
        await linked.start();

        await assertRedeemed(linked, fixture, codes[2]!.id);
        await eventually(() => machine.unacknowledgedReports().length === 0, 'the server acknowledged the report');
        const unused = await merchantApi(linked.server.url, fixture).query('UNUSED');
        assert.deepEqual(unused.map((code) => code.id), [codes[0]!.id, codes[1]!.id], 'the redeemed code can no longer be consumed or cancelled');
      } finally {
        await linked.close();
      }
    });

    it('with the embedded broker, which stops with the server, the machine sends the report again once it reconnects, and the code becomes USED with its order', async () => {
      const port = await closedPort();
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port });
      try {
        const fixture = await seedMachine(linked.store);
        const machine = simulator(linked.brokerUrl, fixture, { resendSeconds: 3600 });
        machines.push(machine);
        await machine.connect();
        const codes = await merchantApi(linked.server.url, fixture).createCodes(2);
        await eventually(() => machine.codes().length === 2, 'the machine holds 2 codes');

        await linked.stop();
        await eventually(() => !machine.connected, 'the machine lost its broker');
        assert.equal((await machine.redeem(codes[0]!.code)).ok, true, 'the machine vends offline, from its own list');
        assert.equal(machine.unacknowledgedReports().length, 1);
        await linked.start();

        await assertRedeemed(linked, fixture, codes[0]!.id);
        await eventually(() => machine.unacknowledgedReports().length === 0, 'the server acknowledged the report');
        await eventually(() => machine.codes().length === 1, 'the list sent after the reconnect holds the other code only');
      } finally {
        await linked.close();
      }
    });

    it('a simulator restarted from its reports file sends what its earlier run left unacknowledged', async () => {
      const port = await closedPort();
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port });
      const dir = mkdtempSync(join(tmpdir(), 'vendcloud-sim-'));
      const reportsFile = join(dir, 'reports.json');
      try {
        const fixture = await seedMachine(linked.store);
        const first = simulator(linked.brokerUrl, fixture, { resendSeconds: 3600, reportsFile });
        await first.connect();
        const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
        await eventually(() => first.codes().length === 1, 'the machine holds the code');
        await linked.stop();
        await eventually(() => !first.connected, 'the machine lost its broker');
        await first.redeem(code!.code);
        first.crash();

        await linked.start();
        const second = simulator(linked.brokerUrl, fixture, { resendSeconds: 3600, reportsFile });
        machines.push(second);
        assert.equal(second.unacknowledgedReports().length, 1, 'the report was read back from the file');
        await second.connect();
        await assertRedeemed(linked, fixture, code!.id);
        await eventually(() => second.unacknowledgedReports().length === 0, 'the server acknowledged the report');
        assert.deepEqual(JSON.parse(readFileSync(reportsFile, 'utf8')), [], 'the file forgets it too');
      } finally {
        await linked.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe(`re-sent reports (${kind.name}, embedded broker)`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    const machines: MachineSimulator[] = [];
    before(async () => {
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      for (const machine of machines) await machine.disconnect();
      await linked?.close();
    });

    const connectedMachine = async () => {
      const fixture = await seedMachine(linked.store);
      const machine = simulator(linked.brokerUrl, fixture, { resendSeconds: 3600 });
      machines.push(machine);
      await machine.connect();
      const codes = await merchantApi(linked.server.url, fixture).createCodes(2);
      await eventually(() => machine.codes().length === 2, 'the machine holds its codes');
      const acknowledgements: Array<{ reportId: string; codeId: string; outcome: string }> = [];
      machine.on('acknowledged', (ack) => acknowledgements.push(ack));
      return { fixture, machine, codes, acknowledgements };
    };

    it('a report sent again with the same report id changes nothing and is acknowledged again, as a duplicate', async () => {
      const { fixture, machine, codes, acknowledgements } = await connectedMachine();
      await machine.redeem(codes[0]!.code);
      await eventually(() => acknowledgements.length === 1, 'the report is acknowledged');
      assert.equal(acknowledgements[0]!.outcome, 'redeemed');
      await assertRedeemed(linked, fixture, codes[0]!.id);
      const before = { ...(await writtenRows(linked.store)), machine_reports: await reportRows(linked.store) };
      const duplicatesBefore = linked.server.link!.counters.duplicates;

      const { reportId, codeId } = acknowledgements[0]!;
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: codeId, used: '1', report_id: reportId }));
      await eventually(() => acknowledgements.length === 2, 'the re-sent report is acknowledged again');
      assert.deepEqual(acknowledgements[1], { reportId, codeId, outcome: 'duplicate' });
      assert.deepEqual({ ...(await writtenRows(linked.store)), machine_reports: await reportRows(linked.store) }, before, 'nothing was written');
      assert.equal(linked.server.link!.counters.duplicates, duplicatesBefore + 1);
    });

    it('a report without a report id, from a machine that predates acknowledgements, still redeems the code and gets no acknowledgement', async () => {
      const { fixture, machine, codes } = await connectedMachine();
      const reportsBefore = await reportRows(linked.store);
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(codes[1]!.id), used: '1' }));
      await assertRedeemed(linked, fixture, codes[1]!.id);
      await linked.server.link!.idle();
      assert.equal(machine.counters.acknowledgements, 0);
      assert.equal(await reportRows(linked.store), reportsBefore, 'no report record without a report id');
    });

    it('a report id that is not 1 to 64 letters, digits or . _ : - is dropped, not acted upon', async () => {
      const { fixture, machine, codes } = await connectedMachine();
      const dropped = linked.server.link!.counters.dropped.invalidFields;
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(codes[0]!.id), used: '1', report_id: 'x'.repeat(65) }));
      await eventually(() => linked.server.link!.counters.dropped.invalidFields === dropped + 1, 'the report is dropped');
      const unused = await merchantApi(linked.server.url, fixture).query('UNUSED');
      assert.equal(unused.length, 2, 'both codes are still UNUSED');
      assert.equal(machine.counters.acknowledgements, 0);
    });
  });
}

describe('a machine keeps its reports until they are acknowledged (own Mosquitto, no server)', needs('mosquitto'), () => {
  it('a report nobody acknowledges is sent again on the timer, with the same report id, and forgotten once acknowledged', async () => {
    const mosquitto = await startOwnMosquitto();
    const machineNo = uniqueMachineNo();
    const appid = `ds${randomBytes(8).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await mosquitto.addMachine(machineNo, password);
    // The test plays the server: it hears the machine's reports and writes to its topic.
    const server = mqtt.connect(mosquitto.serverUrl, { clientId: `fake-server-${process.pid}` });
    const machine = new MachineSimulator({ url: mosquitto.url, machineNo, password, appid, resendSeconds: 0.2 });
    const toMachine = (method: string, body: Record<string, string>) =>
      server.publishAsync(machineTopic(machineNo), encodeMachineMessage({ machineId: 1, machineNo, method, timestamp: Math.floor(Date.now() / 1000) }, body, appid), { qos: 1 });
    try {
      await new Promise((resolve, reject) => (server.once('connect', resolve), server.once('error', reject)));
      const reports: Array<Record<string, string>> = [];
      server.on('message', (_topic, payload) => {
        const message = parseMachineMessage(payload);
        if (message?.method === MACHINE_METHOD.CODE_REDEEMED) reports.push(message.fields);
      });
      await server.subscribeAsync(SERVER_TOPIC, { qos: 1 });
      await machine.connect();
      await toMachine(MACHINE_METHOD.CODE_CREATED, { id: '7', product_id: '1', code: '424242', quantity: '1', expired_at: '0', expired_day: '', used: '0' });
      await eventually(() => machine.codes().length === 1, 'the machine holds the code');

      await machine.redeem('424242');
      await eventually(() => reports.length >= 3, 'the report was sent, then sent again twice');
      const [reportId] = machine.unacknowledgedReports().map((report) => report.reportId);
      assert.ok(reportId);
      assert.deepEqual(new Set(reports.map((report) => `${report.id} ${report.report_id}`)), new Set([`7 ${reportId}`]), 'always the same report');

      await toMachine(MACHINE_METHOD.REPORT_ACKNOWLEDGED, { id: '7', report_id: reportId, outcome: 'redeemed' });
      await eventually(() => machine.unacknowledgedReports().length === 0, 'the machine forgot the acknowledged report');
    } finally {
      await machine.disconnect();
      await server.endAsync();
      await mosquitto.stop();
    }
  });
});
