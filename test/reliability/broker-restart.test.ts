/**
 * The broker goes away and comes back (issue 12, item 4): a Mosquitto of the test's own, on a
 * free port and without persistence, is stopped in the middle of a storm of creates and
 * cancels, and killed in the middle of machines redeeming codes at their keypads. The Open
 * API keeps answering while it is down; once it is back nothing is lost: every machine's list
 * equals the server's, and every redemption is a USED code with its order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { invariantViolations } from '../helpers/invariants.js';
import { eventually, heldIds, LinkedServer, merchantApi, sameIds, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { startOwnMosquitto, type OwnMosquitto } from '../helpers/mosquitto.js';
import { storeKinds } from '../helpers/stores.js';

const MACHINES = 4;
/** Acknowledged changes before the outage, during it, and after it. */
const CHANGES_PER_PHASE = 40;
const REDEMPTIONS_PER_MACHINE = 12;
const CONVERGENCE_MS = 30_000;
/** A hang (a machine waiting for a broker that never answers) fails the test instead of stalling CI. */
const TEST_TIMEOUT_MS = 120_000;

interface Fleet {
  linked: LinkedServer;
  machines: Array<{ fixture: LinkFixture; machine: MachineSimulator; api: ReturnType<typeof merchantApi> }>;
}

/** The ids the server holds UNUSED for the machine, ascending: the list the machine must end with. */
async function serverList(api: ReturnType<typeof merchantApi>): Promise<number[]> {
  return (await api.query('UNUSED')).map((code) => code.id).sort((a, b) => a - b);
}

async function assertConverged(fleet: Fleet, what: string): Promise<void> {
  for (const { machine, api } of fleet.machines) {
    let expected: number[] = [];
    await eventually(async () => sameIds(heldIds(machine), (expected = await serverList(api))), `${what}: the machine holds the server's list`, CONVERGENCE_MS);
    assert.deepEqual(heldIds(machine), expected);
  }
  assert.deepEqual(await invariantViolations(fleet.linked.store), [], `${what}: history and outbox agree with the codes`);
}

for (const kind of storeKinds()) {
  describe(`the broker stopped and restarted [${kind.name}]`, needs(kind, 'mosquitto'), () => {
    let mosquitto: OwnMosquitto;
    let fleet: Fleet;
    before(async () => {
      mosquitto = await startOwnMosquitto();
      const linked = await LinkedServer.start(
        kind,
        { mode: 'external', url: mosquitto.serverUrl, shareGroup: 'vendcloud', clientId: `vc-reliab-${process.pid}-${kind.name}` },
        { publishTimeoutMs: 2000 },
      );
      fleet = { linked, machines: [] };
      const owner = await seedMachine(linked.store);
      for (let m = 0; m < MACHINES; m++) {
        const fixture = m === 0 ? owner : await seedMachine(linked.store, owner.merchant);
        await mosquitto.addMachine(fixture.machineNo, fixture.password);
        // Re-sends every 2 s: a report sent while the server's session was gone with the broker
        // has nobody to reach, and only the machine's timer brings it back.
        const machine = simulator(mosquitto.url, fixture, { resendSeconds: 2 });
        await machine.connect();
        fleet.machines.push({ fixture, machine, api: merchantApi(linked.server.url, fixture) });
      }
    });
    after(async () => {
      for (const { machine } of fleet?.machines ?? []) await machine.disconnect();
      await fleet?.linked.close();
      await mosquitto?.stop();
    }, { timeout: TEST_TIMEOUT_MS });

    it('creates and cancels go on while the broker is stopped, and afterwards every machine holds exactly the server list', { timeout: TEST_TIMEOUT_MS }, async () => {
      const live = fleet.machines.map(() => [] as number[]);
      let changes = 0;
      /** One acknowledged change on a machine: a create of 1–3 codes, a cancel, or now and then a cancel-all. */
      const change = async (m: number) => {
        const { api } = fleet.machines[m]!;
        const codes = live[m]!;
        const choice = Math.random();
        if (codes.length > 60 || choice > 0.92) {
          await api.cancelAll();
          codes.length = 0;
        } else if (codes.length > 0 && choice < 0.45) {
          await api.cancel(codes.splice(Math.floor(Math.random() * codes.length), 1)[0]!);
        } else {
          codes.push(...(await api.createCodes(1 + Math.floor(Math.random() * 3))).map((code) => code.id));
        }
        changes++;
      };
      const phase = async () => {
        const until = changes + CHANGES_PER_PHASE;
        await Promise.all(
          fleet.machines.map(async (_machine, m) => {
            while (changes < until) await change(m);
          }),
        );
      };
      for (const [m, { api }] of fleet.machines.entries()) live[m]!.push(...(await api.createCodes(25)).map((code) => code.id));
      await phase();
      await mosquitto.halt('SIGTERM');
      await phase();
      await mosquitto.start();
      await phase();
      await assertConverged(fleet, 'after the outage');
    });

    it('codes redeemed at the keypads while the broker crashes all become USED with their orders, and no report is left unacknowledged', { timeout: TEST_TIMEOUT_MS }, async () => {
      const created = await Promise.all(fleet.machines.map(({ api }) => api.createCodes(REDEMPTIONS_PER_MACHINE)));
      await assertConverged(fleet, 'before the redemptions');
      const redeemed = fleet.machines.map(() => [] as number[]);
      const redeemSome = (count: number) =>
        Promise.all(
          fleet.machines.map(async ({ machine }, m) => {
            for (let i = 0; i < count; i++) {
              const code = created[m]![redeemed[m]!.length]!;
              const outcome = await machine.redeem(code.code);
              assert.equal(outcome.ok, true, `machine ${m} vends code ${code.id} from its own list`);
              redeemed[m]!.push(code.id);
            }
          }),
        );
      const third = REDEMPTIONS_PER_MACHINE / 3;
      await redeemSome(third);
      await mosquitto.halt('SIGKILL');
      await redeemSome(third);
      await mosquitto.start();
      await redeemSome(third);

      for (const [m, { machine, api }] of fleet.machines.entries()) {
        await eventually(() => machine.unacknowledgedReports().length === 0, `machine ${m}: every report acknowledged`, CONVERGENCE_MS);
        const used = await api.query('USED');
        assert.deepEqual(
          used.map((code) => code.id).sort((a, b) => a - b),
          [...redeemed[m]!].sort((a, b) => a - b),
          `machine ${m}: every redeemed code is USED, no other`,
        );
        assert.ok(used.every((code) => code.order_id), 'each with its order');
      }
      await assertConverged(fleet, 'after the crash');
    });
  });
}
