/**
 * A Mosquitto of a test's own, on a free port, configured by the `vendcloud mqtt acl` recipe
 * (password file, ACL), so a test may stop and restart it, or read its log, without
 * disturbing the machine's shared Mosquitto.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { SERVER_USERNAME } from '../../src/link/access.js';
import { mosquittoAcl, mosquittoConf } from '../../src/link/mosquitto.js';
import { eventually } from './link.js';
import { closedPort } from './server.js';

export interface OwnMosquitto {
  /** Where machines connect (no credentials). */
  url: string;
  /** Where the server connects, as `vendcloud-server` with its password. */
  serverUrl: string;
  /** What Mosquitto logged so far. */
  log(): string;
  /** Lets a machine log in: its password into the password file, then a reload. */
  addMachine(machineNo: string, password: string): Promise<void>;
  /** Stops the broker (SIGTERM, or SIGKILL as a crash) keeping its files, so `start` brings it back on the same port. */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the halted broker again: without persistence it remembers no session and no queued message. */
  start(): Promise<void>;
  /** Stops the broker and removes its files. */
  stop(): Promise<void>;
}

function passwd(file: string, user: string, password: string, create = false): void {
  const result = spawnSync('mosquitto_passwd', [...(create ? ['-c'] : []), '-b', file, user, password], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mosquitto_passwd failed: ${result.stderr}`);
}

/** Whether these credentials log in now. */
async function logsIn(url: string, username: string, password: string): Promise<boolean> {
  const client = mqtt.connect(url, { clientId: `probe-${randomBytes(4).toString('hex')}`, username, password, reconnectPeriod: 0 });
  const ok = await new Promise<boolean>((resolve) => {
    client.once('connect', () => resolve(true));
    client.once('error', () => resolve(false));
  });
  await client.endAsync(true);
  return ok;
}

export async function startOwnMosquitto(): Promise<OwnMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'vendcloud-mosquitto-'));
  // Mosquitto started as root drops to its own user, which must still read the files.
  chmodSync(dir, 0o755);
  const port = await closedPort();
  // The recipe's second listener, where the server instances log in with their own client ids.
  const serverPort = await closedPort();
  const serverPassword = randomBytes(12).toString('hex');
  writeFileSync(join(dir, 'acl_file'), mosquittoAcl());
  writeFileSync(join(dir, 'mosquitto.conf'), `${mosquittoConf(dir).replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`).replace(/^listener 1884 .*$/m, `listener ${serverPort} 127.0.0.1`)}log_dest stderr\n`);
  passwd(join(dir, 'password_file'), SERVER_USERNAME, serverPassword, true);
  let log = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const launch = async () => {
    const started = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    const logBefore = log.length;
    started.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        if (child === started) child = undefined;
        resolve();
      }),
    );
    await eventually(() => log.slice(logBefore).includes('running') || child !== started, `mosquitto runs on port ${port}`);
    if (child !== started) throw new Error(`mosquitto stopped: ${log}`);
  };
  const halt = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    child?.kill(signal);
    await exited;
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `mqtt://127.0.0.1:${port}`;
  const serverUrl = `mqtt://${SERVER_USERNAME}:${serverPassword}@127.0.0.1:${serverPort}`;
  return {
    url,
    serverUrl,
    log: () => log,
    async addMachine(machineNo, password) {
      passwd(join(dir, 'password_file'), machineNo, password);
      child?.kill('SIGHUP');
      await eventually(() => logsIn(url, machineNo, password), `machine ${machineNo} may log in`);
    },
    halt,
    start: launch,
    stop,
  };
}
