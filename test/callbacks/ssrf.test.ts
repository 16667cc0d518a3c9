/**
 * Callbacks go only to public http(s) addresses (docs/callbacks.md, "Where callbacks may go"): the address a host resolves to is checked at send time and connected to as checked,
 * redirects are not followed, and only `--allow-private-callbacks` lets loopback through.
 */
import assert from 'node:assert/strict';
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';
import { hostname } from 'node:os';
import { after, before, describe, it } from '../helpers/node-test.js';
import { refusedAddress, refusedCallbackUrl } from '../../src/domain/callback-targets.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import * as callbacks from '../../src/store/repositories/callbacks.repository.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

describe('callback targets (pure rules)', () => {
  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast and reserved addresses, v4 and v6, mapped v4 included', () => {
    for (const address of [
      '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.127.255.255',
      '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fe80::1%eth0',
    ]) {
      assert.ok(refusedAddress(address), `${address} is refused`);
    }
  });

  it('accepts public addresses, v4 and v6', () => {
    for (const address of ['93.184.216.34', '1.1.1.1', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(refusedAddress(address), undefined, address);
    }
  });

  it('refuses other schemes, credentials in the URL, and literal private hosts unless private targets are allowed', () => {
    assert.equal(refusedCallbackUrl('ftp://example.com/', true), 'only http and https');
    assert.equal(refusedCallbackUrl('https://user:pw@example.com/', true), 'no credentials in the URL');
    assert.equal(refusedCallbackUrl('http://[::1]:8080/x', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://localhost/x', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://127.0.0.1/x', true), undefined);
    assert.equal(refusedCallbackUrl('https://merchant.example/notify?x=1', false), undefined);
  });
});

for (const kind of storeKinds()) {
  describe(`the SSRF guard at send time [${kind.name}]`, { skip: kind.skip }, () => {
    let guarded: TestServer;
    let receiver: Receiver;
    let merchant: MerchantFixture;
    let serial = 0;

    before(async () => {
      receiver = await Receiver.start();
      guarded = await startTestServer(kind, {}, { callbacks: { pollIntervalMs: 20, timeoutMs: 2000 } });
      merchant = await seedMerchant(guarded.store, { products: 1 });
    });
    after(async () => {
      await guarded?.close();
      await receiver?.close();
    });

    const firstAttempt = async (server: TestServer, url: string) => {
      await server.store.write({ actor: 'test', requestId: null, at: nowSeconds() }, (work) =>
        queueDeliveryResult(work, {
          merchantId: merchant.merchant_id, notifyUrl: url, orderId: null, recordId: null, deliveryId: ++serial, deliverStatus: 1, floorStatus: 1, errorMsg: '',
        }),
      );
      let attempts: callbacks.CallbackAttempt[] = [];
      await eventually(async () => {
        const row = await server.store.db.selectFrom('callbacks').select('id').where('url', '=', url).executeTakeFirst();
        attempts = row ? await callbacks.attemptsOf(server.store.db, [row.id]) : [];
        return attempts.length > 0;
      }, `an attempt at ${url}`);
      return attempts[0]!;
    };

    it('refuses 127.0.0.1, 10.x, ::1, mapped ::ffff:127.0.0.1, 169.254.169.254 and a host name resolving to loopback, without connecting', async () => {
      const port = new URL(receiver.url).port;
      const name = hostname();
      assert.ok(refusedAddress((await lookup(name)).address), `${name} resolves to a refused address on this machine`);
      const targets = [
        `http://127.0.0.1:${port}/a`,
        'http://10.0.0.1/b',
        `http://[::1]:${port}/c`,
        `http://[::ffff:127.0.0.1]:${port}/d`,
        'http://169.254.169.254/latest/meta-data/',
        `http://${name}:${port}/e`,
      ];
      for (const target of targets) {
        const attempt = await firstAttempt(guarded, target);
        assert.equal(attempt.http_status, null, target);
        assert.equal(attempt.outcome, 'retry');
        assert.match(attempt.error ?? '', /^RefusedTarget: .*refused unless the server runs with --allow-private-callbacks$/, target);
      }
      assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
    });

    it('with private targets allowed, loopback is reached; a redirect is not followed (a 3xx is a failed attempt)', async () => {
      const open = await startTestServer(kind, {}, { callbacks: { pollIntervalMs: 20, allowPrivate: true } });
      try {
        merchant = await seedMerchant(open.store, { products: 1 });
        receiver.status = (request) => (request.path === '/moved' ? 302 : 200);
        const attempt = await firstAttempt(open, `${receiver.url}/moved`);
        assert.equal(attempt.http_status, 302);
        assert.equal(attempt.outcome, 'retry');
        assert.deepEqual(receiver.received.map((r) => r.path), ['/moved']);
        const reached = await firstAttempt(open, `${receiver.url}/fine`);
        assert.equal(reached.outcome, 'delivered');
      } finally {
        receiver.status = 200;
        await open.close();
      }
    });

    it('connects to the address it resolved and checked: the name is not resolved again when connecting', async () => {
      // A name whose answer changes between two lookups (DNS rebinding): first 127.0.0.2, then
      // 127.0.0.1. Both are loopback, so private targets are allowed here, and the rule shows in
      // which of two receivers on the same port is reached. The name server is the one fake: it
      // stands for the internet's DNS, which this machine cannot reach.
      const checked = await Receiver.start({ host: '127.0.0.2' });
      const port = Number(new URL(checked.url).port);
      const rebound = await Receiver.start({ host: '127.0.0.1', port });
      const name = 'rebinding.vendcloud.test';
      let lookups = 0;
      const realLookup = dns.lookup;
      const fakeLookup = (host: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
        if (host !== name) return (realLookup as Function)(host, options, callback);
        const address = ++lookups === 1 ? '127.0.0.2' : '127.0.0.1';
        if (options.all) callback(null, [{ address, family: 4 }]);
        else callback(null, address, 4);
      };
      (dns as { lookup: unknown }).lookup = fakeLookup;
      syncBuiltinESMExports();
      const open = await startTestServer(kind, {}, { callbacks: { pollIntervalMs: 20, allowPrivate: true } });
      try {
        merchant = await seedMerchant(open.store, { products: 1 });
        const attempt = await firstAttempt(open, `http://${name}:${port}/pinned`);
        assert.equal(attempt.outcome, 'delivered');
        assert.deepEqual(checked.received.map((r) => r.path), ['/pinned'], 'the checked address was reached');
        assert.deepEqual(rebound.received, [], 'the address of a second lookup was not');
        assert.equal(lookups, 1, 'the name was resolved once');
      } finally {
        (dns as { lookup: unknown }).lookup = realLookup;
        syncBuiltinESMExports();
        await open.close();
        await checked.close();
        await rebound.close();
      }
    });
  });
}
