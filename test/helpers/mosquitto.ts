/**
 * A Mosquitto of a test's own, on a free port, configured by the `vendcloud mqtt acl` recipe
 * (password file, ACL), so a test may stop and restart it, or read its log, without
 * disturbing the machine's shared Mosquitto.
 */
import { spawn, spawnSync } from 'node:child_process';
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
  const serverPassword = randomBytes(12).toString('hex');
  writeFileSync(join(dir, 'acl_file'), mosquittoAcl());
  writeFileSync(join(dir, 'mosquitto.conf'), `${mosquittoConf(dir).replace(/^listener .*$/m, `listener ${port} 127.0.0.1`)}log_dest stderr\n`);
  passwd(join(dir, 'password_file'), SERVER_USERNAME, serverPassword, true);
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  const url = `mqtt://127.0.0.1:${port}`;
  const serverUrl = `mqtt://${SERVER_USERNAME}:${serverPassword}@127.0.0.1:${port}`;
  const stop = async () => {
    if (running) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(() => log.includes('running') || !running, `mosquitto runs on port ${port}`);
    if (!running) throw new Error(`mosquitto stopped: ${log}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    serverUrl,
    log: () => log,
    async addMachine(machineNo, password) {
      passwd(join(dir, 'password_file'), machineNo, password);
      child.kill('SIGHUP');
      await eventually(() => logsIn(url, machineNo, password), `machine ${machineNo} may log in`);
    },
    stop,
  };
}
