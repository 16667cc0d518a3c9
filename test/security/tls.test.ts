/**
 * The machine link over TLS: the embedded broker's second listener (mqtts://) carries the
 * same conversation under the same access rules and limits. The certificate is made here
 * with openssl, self-signed for 127.0.0.1, and trusted by the machine as its CA file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from '../helpers/node-test.js';
import mqtt from 'mqtt';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'broker.crt');
  const keyFile = join(dir, 'broker.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], {
    stdio: 'ignore',
  });
  return { certFile, keyFile };
}

for (const kind of storeKinds()) {
  describe(`the machine link over TLS (${kind.name})`, { skip: kind.skip }, () => {
    let dir: string;
    let files: { certFile: string; keyFile: string };
    let linked: LinkedServer;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vendcloud-tls-'));
      files = selfSignedCertificate(dir);
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0, tls: { port: 0, ...files } });
    });
    after(async () => {
      await linked?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const tlsUrl = () => `mqtts://127.0.0.1:${linked.server.link!.brokerTlsPort}`;

    it('a machine that trusts the CA file logs in over mqtts:// and receives its codes', async () => {
      const fixture = await seedMachine(linked.store);
      const machine = simulator(tlsUrl(), fixture, { ca: readFileSync(files.certFile, 'utf8') });
      await machine.connect();
      const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
      await eventually(() => machine.codes().some((held) => Number(held.id) === code!.id), 'the code arrives over TLS');
      await machine.disconnect();
    });

    it('a client that does not trust the certificate is refused before it sends its password', async () => {
      const fixture = await seedMachine(linked.store);
      const client = mqtt.connect(tlsUrl(), { clientId: fixture.machineNo, username: fixture.machineNo, password: fixture.password, reconnectPeriod: 0 });
      await assert.rejects(new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject))), /self[- ]signed certificate/i);
      client.end(true);
    });

    it('an oversized CONNECT over TLS is closed like one in the clear', async () => {
      const before = linked.server.link!.counters.limits.oversized;
      const socket = connect({ host: '127.0.0.1', port: linked.server.link!.brokerTlsPort!, ca: readFileSync(files.certFile) });
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
      await closed;
      assert.equal(linked.server.link!.counters.limits.oversized, before + 1);
    });
  });
}
