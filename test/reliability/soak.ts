/**
 * `npm run soak` (issue 12, item 6; not part of CI): vendcloud as it runs for real, for a
 * while, with parts going down. `vendcloud serve` in a child process over a fresh database,
 * a Mosquitto of its own, 200 simulated machines and 20 merchants' clients sending mixed
 * traffic; the broker is killed and restarted at 40 % of the run, the server restarted at
 * 70 %. It reports the server's RSS over time, every error, and at the end whether every
 * machine's list equals the server's and every keypad redemption became a USED code.
 *
 *   npm run soak -- [--minutes 10] [--machines 200] [--merchants 20] [--rate 100] [--db postgres://…] [--json FILE]
 *
 * Exit code 0 when nothing was lost and no unexpected error happened, 1 otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import pg from 'pg';
import { MachineSimulator } from '../../src/link/machine-simulator.js';
import { invariantViolations } from '../helpers/invariants.js';
import { startOwnMosquitto, type OwnMosquitto } from '../helpers/mosquitto.js';
import { asMerchant, seedMerchant, type MerchantFixture } from '../helpers/server.js';
import { ServerProcess, type DatabaseLocation } from '../helpers/server-process.js';
import { storeKinds, withStoreAt } from '../helpers/stores.js';
import { keypadTraffic, merchantTraffic, noOutcomes, type SoakMachine, type TrafficControl } from './soak-traffic.js';

const options = new Command()
  .option('--minutes <n>', 'how long the traffic runs', Number, 10)
  .option('--machines <n>', 'simulated machines, spread over the merchants', Number, 200)
  .option('--merchants <n>', "merchants, each with its own client", Number, 20)
  .option('--rate <n>', 'merchant requests per second, all merchants together (roughly)', Number, 100)
  .option('--keypad-seconds <n>', 'seconds between two redemptions at one machine (roughly)', Number, 20)
  .option('--db <url>', 'a postgres:// URL (a fresh schema is used); default: a fresh SQLite file')
  .option('--json <file>', 'also write the figures to this file')
  .parse()
  .opts<{ minutes: number; machines: number; merchants: number; rate: number; keypadSeconds: number; db?: string; json?: string }>();

const log = (line: string) => process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : Math.round(bytes / 1024 / 102.4) / 10);

function rss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh SQLite file, or a fresh schema in the PostgreSQL of --db (dropped at the end). */
async function freshDatabase(): Promise<DatabaseLocation & { kind: string; cleanup(): Promise<void> }> {
  if (!options.db) return { kind: 'sqlite', ...(await storeKinds()[0]!.fresh()) };
  const schema = `soak_${process.pid}`;
  return {
    kind: 'postgres',
    db: options.db,
    options: { pgSchema: schema },
    async cleanup() {
      const client = new pg.Client({ connectionString: options.db });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Every id of the machine's codes with this status, as the server answers (all pages). */
async function serverIds(url: string, machine: SoakMachine, status: 'UNUSED' | 'USED'): Promise<number[]> {
  const api = asMerchant(url, machine.merchant);
  const ids: number[] = [];
  for (let page = 1; ; page++) {
    const answer = await api('/pickup_codes/query', { machine_no: machine.machineNo, status, page: String(page), per_page: '100' });
    const rows: Array<{ id: number }> = answer.body.data.data ?? [];
    ids.push(...rows.map((row) => row.id));
    if (rows.length < 100) return ids.sort((a, b) => a - b);
  }
}

async function converged(url: string, machine: SoakMachine): Promise<boolean> {
  if (machine.simulator.unacknowledgedReports().length > 0) return false;
  const held = machine.simulator.codes().map((code) => Number(code.id));
  const expected = await serverIds(url, machine, 'UNUSED');
  return held.length === expected.length && held.every((id, index) => id === expected[index]);
}

async function seed(location: DatabaseLocation, mosquitto: OwnMosquitto): Promise<SoakMachine[]> {
  const merchants: MerchantFixture[] = await withStoreAt(location, async (store) => {
    const seeded: MerchantFixture[] = [];
    for (let m = 0; m < options.merchants; m++) {
      const machines = Math.floor(options.machines / options.merchants) + (m < options.machines % options.merchants ? 1 : 0);
      seeded.push(await seedMerchant(store, { machines, products: 2, capacity: 1_000_000 }));
    }
    return seeded;
  });
  const machines: SoakMachine[] = [];
  for (const merchant of merchants) {
    for (const machine of merchant.machines) {
      await mosquitto.addMachine(machine.machine_no, machine.mqtt_password);
      const simulator = new MachineSimulator({ url: mosquitto.url, machineNo: machine.machine_no, password: machine.mqtt_password, appid: merchant.appid, heartbeatSeconds: 60, resendSeconds: 10 });
      machines.push({ merchant, machineNo: machine.machine_no, productIds: machine.productIds, simulator, live: [], redeemed: [] });
    }
  }
  return machines;
}

interface Sample {
  second: number;
  serverPid: number;
  serverRssMb: number | undefined;
  soakRssMb: number | undefined;
  requests: number;
  redemptions: number;
  errors: number;
}

/** One soak run: the parts it starts, the traffic it sends, what it saw. */
class Soak {
  private server!: ServerProcess;
  private machines: SoakMachine[] = [];
  private readonly outcomes = noOutcomes();
  private readonly timeline: Sample[] = [];
  private readonly events: Array<{ second: number; what: string }> = [];
  private started = Date.now();
  private running = true;
  private restarting = false;

  constructor(
    private readonly location: Awaited<ReturnType<typeof freshDatabase>>,
    private readonly mosquitto: OwnMosquitto,
  ) {}

  private serve(): Promise<ServerProcess> {
    return ServerProcess.start(this.location, ['--mqtt-url', this.mosquitto.serverUrl, '--mqtt-client-id', `vendcloud-soak-${process.pid}`]);
  }

  async start(): Promise<void> {
    this.machines = await seed(this.location, this.mosquitto);
    this.server = await this.serve();
    for (let i = 0; i < this.machines.length; i += 25) await Promise.all(this.machines.slice(i, i + 25).map((machine) => machine.simulator.connect()));
    log(`soak: server ${this.server.url} (pid ${this.server.pid}), broker ${this.mosquitto.url}, ${this.machines.length} machines connected`);
  }

  private sample(): void {
    const point: Sample = {
      second: Math.round((Date.now() - this.started) / 1000),
      serverPid: this.server.pid,
      serverRssMb: mb(rss(this.server.pid)),
      soakRssMb: mb(process.memoryUsage().rss),
      requests: this.outcomes.requests,
      redemptions: this.outcomes.redemptions,
      errors: this.outcomes.errors.length,
    };
    this.timeline.push(point);
    log(`  ${String(point.second).padStart(5)} s  server RSS ${point.serverRssMb} MB  requests ${point.requests}  redemptions ${point.redemptions}  errors ${point.errors}`);
  }

  private event(what: string): void {
    this.events.push({ second: Math.round((Date.now() - this.started) / 1000), what });
    log(`soak: ${what}`);
  }

  /** The broker killed at 40 % of the run and back 5 s later; the server restarted at 70 %. */
  private async disrupt(durationMs: number): Promise<void> {
    await pause(durationMs * 0.4);
    this.event('broker killed (SIGKILL), back in 5 s');
    await this.mosquitto.halt('SIGKILL');
    await pause(5000);
    await this.mosquitto.start();
    this.event('broker back');
    await pause(Math.max(0, this.started + durationMs * 0.7 - Date.now()));
    this.event('server restarting (SIGTERM, then start on the same database)');
    this.restarting = true;
    await this.server.stop();
    this.server = await this.serve();
    this.restarting = false;
    this.event(`server back on ${this.server.url} (pid ${this.server.pid})`);
  }

  async run(durationMs: number): Promise<void> {
    const control: TrafficControl = { url: () => this.server.url, restarting: () => this.restarting, running: () => this.running };
    const byMerchant = new Map<MerchantFixture, SoakMachine[]>();
    for (const machine of this.machines) byMerchant.set(machine.merchant, [...(byMerchant.get(machine.merchant) ?? []), machine]);
    this.started = Date.now();
    const traffic = [
      ...[...byMerchant.values()].map((own) => merchantTraffic(own, control, this.outcomes, (1000 * options.merchants) / options.rate)),
      ...this.machines.map((machine) => keypadTraffic(machine, control, this.outcomes, options.keypadSeconds * 1000)),
    ];
    this.sample();
    const sampler = setInterval(() => this.sample(), 10_000);
    await Promise.all([pause(durationMs), this.disrupt(durationMs)]);
    this.running = false;
    await Promise.all(traffic);
    clearInterval(sampler);
    this.sample();
  }

  /** Waits (2 minutes at most) for every machine to hold the server list; then counts the redemptions the server does not have. */
  async settle(): Promise<{ converged: number; reportsLost: number }> {
    log('soak: traffic stopped; waiting for every machine to hold the server list');
    const deadline = Date.now() + 120_000;
    let settled: boolean[] = [];
    do {
      settled = await Promise.all(this.machines.map((machine) => converged(this.server.url, machine)));
      if (settled.every(Boolean)) break;
      await pause(2000);
    } while (Date.now() < deadline);
    let reportsLost = 0;
    for (const machine of this.machines) {
      const used = new Set(await serverIds(this.server.url, machine, 'USED'));
      reportsLost += machine.redeemed.filter((id) => !used.has(id)).length;
    }
    for (const machine of this.machines) await machine.simulator.disconnect();
    return { converged: settled.filter(Boolean).length, reportsLost };
  }

  figures(settled: { converged: number; reportsLost: number }, violations: string[]) {
    const serverRss = [...new Set(this.timeline.map((point) => point.serverPid))].map((pid) => {
      const points = this.timeline.filter((point) => point.serverPid === pid && point.serverRssMb !== undefined);
      return { pid, startMb: points[0]?.serverRssMb, endMb: points.at(-1)?.serverRssMb, peakMb: Math.max(...points.map((point) => point.serverRssMb!)) };
    });
    const { outcomes } = this;
    const ok = outcomes.errors.length === 0 && outcomes.unanswered === 0 && settled.reportsLost === 0 && settled.converged === this.machines.length && violations.length === 0;
    return {
      ok,
      minutes: options.minutes,
      store: this.location.kind,
      machines: this.machines.length,
      merchants: options.merchants,
      requests: outcomes.requests,
      answers: Object.fromEntries(outcomes.codes),
      unansweredWhileUp: outcomes.unanswered,
      unavailableDuringRestart: outcomes.duringRestart,
      errors: outcomes.errors.length,
      firstErrors: outcomes.errors.slice(0, 10),
      redemptions: outcomes.redemptions,
      reportsLost: settled.reportsLost,
      machinesConverged: settled.converged,
      invariantViolations: violations.slice(0, 10),
      serverRss,
      events: this.events,
      timeline: this.timeline,
    };
  }

  async stop(): Promise<void> {
    await this.server?.kill();
  }
}

async function main(): Promise<number> {
  const location = await freshDatabase();
  const mosquitto = await startOwnMosquitto();
  const soak = new Soak(location, mosquitto);
  const cleanup = async () => {
    await soak.stop();
    await mosquitto.stop();
    await location.cleanup();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    log(`soak: ${options.minutes} min, ${options.machines} machines, ${options.merchants} merchants, ~${options.rate} requests/s, ${location.kind}`);
    await soak.start();
    await soak.run(options.minutes * 60_000);
    const settled = await soak.settle();
    const figures = soak.figures(settled, await withStoreAt(location, (store) => invariantViolations(store)));
    log(JSON.stringify({ ...figures, timeline: undefined }, null, 2));
    if (options.json) writeFileSync(options.json, JSON.stringify(figures, null, 2));
    log(figures.ok ? 'soak: OK — nothing lost, every machine holds the server list' : 'soak: FAILED — see above');
    return figures.ok ? 0 : 1;
  } finally {
    await cleanup();
  }
}

process.exit(await main());
