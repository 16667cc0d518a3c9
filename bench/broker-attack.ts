/**
 * The machine link under the attacks of issue 19, measured on a server in a child process:
 * its RSS before and after four sockets that never log in each declare a 200 MB CONNECT and
 * send 150 MB (or until closed), and the time `/ping` takes while a logged-in machine sends
 * a 2 MB message (which must disconnect it). Figures, not assertions: see docs/security.md.
 *
 *   node dist/bench/broker-attack.js
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { request } from 'undici';

interface Ready {
  url: string;
  brokerPort: number;
  machineNo: string;
  password: string;
  appid: string;
  appSecret: string;
}

async function child(): Promise<void> {
  const [{ startServer }, { ensureDemoData }] = await Promise.all([import('../src/server.js'), import('../src/service/demo.js')]);
  const dir = mkdtempSync(join(tmpdir(), 'vendcloud-attack-'));
  const server = await startServer({ db: join(dir, 'db.sqlite'), port: 0, logger: false, mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 } });
  const demo = await ensureDemoData(server.store);
  const ready: Ready = { url: server.url, brokerPort: server.link!.brokerPort!, machineNo: demo.machine_no, password: demo.mqtt_password, appid: demo.appid, appSecret: demo.app_secret };
  process.send!(ready);
  process.on('disconnect', () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** One socket: a CONNECT header declaring 200 MB, then up to 150 MB of body; resolves with the bytes written before the close. */
function oversizedConnect(port: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(sent));
    socket.on('connect', () => {
      // 0x10 = CONNECT; 200 MB as MQTT's variable-length integer.
      let length = 200 * 1024 * 1024;
      const header = [0x10];
      while (length > 0) {
        header.push((length % 128) | (length >= 128 ? 0x80 : 0));
        length = Math.floor(length / 128);
      }
      socket.write(Buffer.from(header));
      const pump = () => {
        while (sent < 150 * 1024 * 1024 && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
}

async function pingMs(ready: Ready): Promise<number> {
  const started = performance.now();
  const answer = await request(`${ready.url}/api/openapi/v1/ping`, { method: 'POST', headers: { appid: ready.appid, appsecret: ready.appSecret } });
  await answer.body.text();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const server = fork(fileURLToPath(import.meta.url), ['child'], { stdio: 'inherit' });
  const ready = await new Promise<Ready>((resolve) => server.once('message', (m) => resolve(m as Ready)));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssMb(server.pid!);
  const written = await Promise.all([1, 2, 3, 4].map(() => oversizedConnect(ready.brokerPort)));
  const after = rssMb(server.pid!);
  console.log(`4 oversized CONNECTs: RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MB (+${(after - before).toFixed(1)} MB); each closed after ${written.map((w) => (w / 1024 / 1024).toFixed(0)).join(', ')} MB written by the attacker`);

  const machine = mqtt.connect(`mqtt://127.0.0.1:${ready.brokerPort}`, { clientId: ready.machineNo, username: ready.machineNo, password: ready.password, reconnectPeriod: 0 });
  machine.on('error', () => undefined);
  await new Promise((resolve) => machine.once('connect', resolve));
  const idlePing = await pingMs(ready);
  const closed = new Promise<void>((resolve) => machine.once('close', () => resolve()));
  machine.publish('/server/app', Buffer.alloc(2 * 1024 * 1024, 0x61), { qos: 1 });
  const busyPing = await pingMs(ready);
  await closed;
  console.log(`logged-in machine sending 2 MB: disconnected; /ping ${busyPing.toFixed(1)} ms meanwhile (${idlePing.toFixed(1)} ms before)`);
  machine.end(true);
  server.disconnect();
}

if (process.argv[2] === 'child') await child();
else await main();
