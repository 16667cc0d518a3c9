/** `vendcloud mqtt acl` (external-broker recipe) and `vendcloud machine-sim` (a machine on stdin). */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { VEND_FAULTS, type VendFault } from '../link/machine-vending.js';
import { isMachineNo } from '../domain/fields.js';
import { mosquittoAcl, mosquittoConf, passwordRecipe } from '../link/mosquitto.js';
import * as machines from '../store/repositories/machines.repository.js';
import { withStore } from './admin.js';
import { counted, emit, EXIT, fail, parseWholeNumber } from './output.js';

function registerMqttAcl(program: Command): void {
  const mqtt = program.command('mqtt').description('the machine link on an external broker');
  mqtt
    .command('acl')
    .description('write a Mosquitto acl_file, a config snippet and the password_file recipe into DIR')
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB), to list the machines')
    .option('--json', 'print one JSON line')
    .action(async (options: { out: string; db?: string; json?: boolean }) => {
      const dir = resolve(options.out);
      const machineNos = await withStore(options.db, async (store) => machines.listNumbers(store.db));
      mkdirSync(dir, { recursive: true });
      const files = {
        acl_file: mosquittoAcl(),
        'mosquitto.conf': mosquittoConf(dir),
        'password_file.sh': passwordRecipe(dir, machineNos),
      };
      for (const [name, text] of Object.entries(files)) writeFileSync(`${dir}/${name}`, text);
      chmodSync(`${dir}/password_file.sh`, 0o755);
      emit(!!options.json, { dir, files: Object.keys(files), machines: machineNos.length }, () =>
        [
          `wrote ${Object.keys(files).map((name) => `${dir}/${name}`).join(', ')}`,
          `${counted(machineNos.length, 'machine')} listed in password_file.sh; see docs/mqtt.md`,
        ].join('\n'),
      );
    });
}

interface SimulatorFlags {
  machineNo: string;
  password?: string;
  appid?: string;
  mqttUrl: string;
  ca?: string;
  heartbeat: number;
  resend: number;
  reportsFile?: string;
  fault: VendFault;
  vendMs: number;
  firmware: 'original' | 'extended';
  stock?: Record<string, number>;
}

function parseFirmware(value: string): 'original' | 'extended' {
  if (value !== 'original' && value !== 'extended') throw new InvalidArgumentError('original or extended');
  return value;
}

/** `12=5,13=8`: items in stock per product id. */
function parseStock(value: string): Record<string, number> {
  const entries = value.split(',').map((pair) => pair.split('='));
  if (!entries.every(([id, count]) => /^[1-9][0-9]*$/.test(id ?? '') && /^[0-9]+$/.test(count ?? ''))) throw new InvalidArgumentError('PRODUCT_ID=COUNT[,PRODUCT_ID=COUNT…]');
  return Object.fromEntries(entries.map(([id, count]) => [id!, Number(count)]));
}

function parseFault(value: string): VendFault {
  if (!(VEND_FAULTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${VEND_FAULTS.join(', ')}`);
  return value as VendFault;
}

function registerMachineSimulator(program: Command): void {
  program
    .command('machine-sim')
    .description('run a simulated vending machine; commands on stdin: codes, redeem CODE, fault KIND, offline, online, quit')
    .requiredOption('--machine-no <digits>', 'the machine number (the MQTT username)')
    .option('--password <password>', 'the MQTT password `machine create` printed (env VENDCLOUD_MQTT_PASSWORD)', process.env.VENDCLOUD_MQTT_PASSWORD)
    .option('--appid <appid>', "the owning merchant's Appid, which signs every message (env VENDCLOUD_APPID)", process.env.VENDCLOUD_APPID)
    .option('--mqtt-url <url>', 'the broker, mqtt:// or mqtts:// (env VENDCLOUD_MQTT_URL)', process.env.VENDCLOUD_MQTT_URL ?? 'mqtt://127.0.0.1:1883')
    .option('--ca <file>', "PEM of the authority that signed the broker's TLS certificate (mqtts://)")
    .option('--heartbeat <seconds>', 'seconds between heartbeats', parseWholeNumber(1), 300)
    .option('--resend <seconds>', 'seconds after which a report the server has not acknowledged is sent again', parseWholeNumber(1), 30)
    .option('--reports-file <path>', 'keep unacknowledged reports in this file, so they survive a restart of the simulator')
    .option('--fault <kind>', `make every vend go this way: ${VEND_FAULTS.join(', ')}`, parseFault, 'none')
    .option('--vend-ms <ms>', 'how long a vend takes', parseWholeNumber(0), 800)
    .option('--firmware <original|extended>', "original: the original platform's messages only, as the machines in the field (docs/mqtt.md, Link profiles)", parseFirmware, 'extended')
    .option('--stock <id=n,…>', '--firmware original: items in stock per product, reported after each vend', parseStock)
    .action(async (options: SimulatorFlags) => {
      if (!isMachineNo(options.machineNo)) fail('--machine-no must be 8 or more digits', EXIT.USAGE);
      if (!options.password) fail('give --password (or VENDCLOUD_MQTT_PASSWORD)', EXIT.USAGE);
      if (!options.appid) fail("give --appid, the merchant's Appid (or VENDCLOUD_APPID)", EXIT.USAGE);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const { MachineSimulator } = await import('../link/machine-simulator.js');
      const { OriginalMachineSimulator } = await import('../link/machine-simulator-original.js');
      const Simulator = options.firmware === 'original' ? OriginalMachineSimulator : MachineSimulator;
      const machine = new Simulator({
        url: options.mqttUrl,
        machineNo: options.machineNo,
        password: options.password,
        appid: options.appid,
        heartbeatSeconds: options.heartbeat,
        resendSeconds: options.resend,
        fault: options.fault,
        vendMs: options.vendMs,
        ...(options.reportsFile ? { reportsFile: resolve(options.reportsFile) } : {}),
        ...(options.ca ? { ca: readFileSync(options.ca, 'utf8') } : {}),
        ...(options.stock ? { stock: options.stock } : {}),
        log: say,
      });
      try {
        await machine.connect();
      } catch (error) {
        fail(`cannot connect to ${options.mqttUrl}: ${(error as Error).message}`, EXIT.NETWORK);
      }
      const help = `commands: codes | redeem CODE | fault ${VEND_FAULTS.join('|')} | offline | online | quit`;
      say(help);
      const input = createInterface({ input: process.stdin, terminal: false });
      const quit = async () => {
        input.close();
        await machine.disconnect();
        process.exit(EXIT.OK);
      };
      process.once('SIGINT', () => void quit());
      for await (const line of input) {
        const [command, argument] = line.trim().split(/\s+/);
        try {
          if (!command) continue;
          else if (command === 'codes') {
            const codes = machine.codes();
            say(codes.length === 0 ? 'no codes' : codes.map((c) => `${c.code}  id ${c.id}  product ${c.product_id}  ${c.expired_day || 'never expires'}`).join('\n'));
            const waiting = machine instanceof MachineSimulator ? machine.unacknowledgedReports().length : 0;
            if (waiting > 0) say(`${counted(waiting, 'redemption report')} not acknowledged yet`);
          } else if (command === 'redeem' && argument) await machine.redeem(argument);
          else if (command === 'fault' && argument && machine instanceof MachineSimulator) say(`vends now: ${(machine.vending.fault = parseFault(argument))}`);
          else if (command === 'offline') await machine.goOffline();
          else if (command === 'online') await machine.connect();
          else if (command === 'quit') break;
          else say(help);
        } catch (error) {
          say(`failed: ${(error as Error).message}`);
        }
      }
      await quit();
    });
}

export function registerLinkCommands(program: Command): void {
  registerMqttAcl(program);
  registerMachineSimulator(program);
}

