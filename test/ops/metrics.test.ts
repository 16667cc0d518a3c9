/**
 * Prometheus metrics (issue 22, point 1): on a listener of their own, never on the public
 * API's port; after real traffic (signed requests, a machine on the embedded broker) the
 * named series carry what happened, labelled by route pattern and envelope code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, it } from '../helpers/node-test.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { eventually, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { startCli } from '../helpers/cli.js';
import { call, closedPort } from '../helpers/server.js';
import { ROOT } from '../helpers/source-tree.js';
import { storeKinds } from '../helpers/stores.js';

/** The series the Grafana dashboard in docs/ queries, by metric name (a histogram's by its own). */
function dashboardMetrics(): string[] {
  const text = readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8');
  const names = [...text.matchAll(/\b((?:vendcloud|process|nodejs)_[a-z0-9_]+)/g)].map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ''));
  return [...new Set(names)];
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, the samples only. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function valueOf(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return all.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

async function scrape(server: RunningServer): Promise<Sample[]> {
  const answer = await request(`${server.metricsUrl}/metrics`);
  assert.equal(answer.statusCode, 200);
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return samples(await answer.body.text());
}

for (const kind of storeKinds()) {
  describe(`metrics [${kind.name}]`, { skip: kind.skip }, () => {
    it('without --metrics-port nothing listens for metrics and the public port answers /metrics with the 404 envelope', async () => {
      const location = await kind.fresh();
      const server = await startServer({ db: location.db, store: location.options, port: 0, logger: false });
      try {
        assert.equal(server.metricsUrl, undefined);
        const answer = await request(`${server.url}/metrics`);
        assert.equal(answer.statusCode, 404);
        assert.deepEqual(await answer.body.json(), { code: 404, message: 'Not Found', data: {} });
      } finally {
        await server.close();
        await location.cleanup();
      }
    });

    it('with a metrics port, /metrics there counts answers by route pattern and envelope code, the link by method and outcome, the backlog and the batches; the public port does not serve it', async () => {
      const location = await kind.fresh();
      const server = await startServer({
        db: location.db,
        store: location.options,
        port: 0,
        metricsPort: 0,
        logger: false,
        config: { merchantCacheSeconds: 0 },
        mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 },
        link: { pollIntervalMs: 200 },
      });
      const fixture = await seedMachine(server.store);
      const machine = simulator(server.link!.brokerUrl, fixture);
      try {
        assert.notEqual(server.metricsUrl, server.url);
        const publicAnswer = await request(`${server.url}/metrics`);
        assert.equal(publicAnswer.statusCode, 404);
        assert.deepEqual(await publicAnswer.body.json(), { code: 404, message: 'Not Found', data: {} });

        // Connecting sends a heartbeat and a pull, as a machine does on power-up.
        await machine.connect();
        const api = merchantApi(server.url, fixture);
        const [code] = await api.createCodes(1);
        await eventually(() => machine.codes().some((held) => held.id === String(code!.id)), 'the machine holds the new code');
        const strangerAnswer = await call(server.url, `/products/${fixture.productId}/pickup_code`, { appid: 'nobody', secret: 'x', fields: { machine_no: fixture.machineNo } });
        assert.equal(strangerAnswer.body.code, 10014);
        await server.link!.idle();

        const all = await scrape(server);
        assert.equal(valueOf(all, 'vendcloud_http_requests_total', { route: 'POST /api/openapi/v1/pickup_codes', status: '200', code: '0' }), 1);
        // The pattern, not the URL: the product id never becomes a label.
        assert.equal(valueOf(all, 'vendcloud_http_requests_total', { route: 'POST /api/openapi/v1/products/:product_id/pickup_code', code: '10014' }), 1);
        assert.equal(valueOf(all, 'vendcloud_http_requests_total', { route: 'unmatched', status: '404', code: '404' }), 1);
        assert.ok(!all.some((sample) => Object.values(sample.labels).some((label) => label.includes(`/products/${fixture.productId}/`))), 'no label carries an id');
        assert.equal(valueOf(all, 'vendcloud_http_request_duration_seconds_count', { route: 'POST /api/openapi/v1/pickup_codes' }), 1);
        assert.equal(valueOf(all, 'vendcloud_mqtt_messages_total', { direction: 'in', method: 'client.heartbeat', outcome: 'handled' }), 1);
        assert.equal(valueOf(all, 'vendcloud_mqtt_messages_total', { direction: 'in', method: 'client.pickup_codes.pull', outcome: 'handled' }), 1);
        const pushed = all.filter((sample) => sample.name === 'vendcloud_mqtt_messages_total' && sample.labels.direction === 'out' && sample.labels.outcome === 'published');
        assert.ok(pushed.length > 0 && pushed.every((sample) => sample.labels.method!.startsWith('client.pickup_codes.')), 'the code went out as a push of its method');
        assert.equal(valueOf(all, 'vendcloud_mqtt_messages_total', { direction: 'in', outcome: 'dropped_badSignature' }), 0);
        assert.equal(valueOf(all, 'vendcloud_machines_connected'), 1);
        assert.equal(valueOf(all, 'vendcloud_outbox_pending'), 0);
        assert.equal(valueOf(all, 'vendcloud_outbox_oldest_unsent_age_seconds'), 0);
        assert.equal(valueOf(all, 'vendcloud_callbacks_pending'), 0);
        assert.ok((valueOf(all, 'vendcloud_store_batch_size_count') ?? 0) >= 2, 'the seeding, the heartbeat and the create each committed a batch');
        assert.ok((valueOf(all, 'process_cpu_user_seconds_total') ?? -1) >= 0, 'the default process metrics');
        if (kind.name === 'postgres') assert.ok((valueOf(all, 'vendcloud_pg_pool_connections') ?? 0) >= 1);
        else assert.equal(valueOf(all, 'vendcloud_pg_pool_connections'), undefined);

        const scraped = new Set(all.map((sample) => sample.name.replace(/_(bucket|sum|count)$/, '')));
        const unserved = dashboardMetrics().filter((name) => !scraped.has(name) && !(kind.name === 'sqlite' && name.startsWith('vendcloud_pg_pool_')));
        assert.deepEqual(unserved, [], 'every metric the dashboard queries is served');

        const elsewhere = await request(`${server.metricsUrl}/anything`);
        assert.equal(elsewhere.statusCode, 404);
        await elsewhere.body.dump();
      } finally {
        await machine.disconnect();
        await server.close();
        await location.cleanup();
      }
    });

    it('a push waiting for an offline machine shows in the outbox backlog with its age', async () => {
      const location = await kind.fresh();
      let now = 1_800_000_000;
      const server = await startServer({ db: location.db, store: location.options, port: 0, metricsPort: 0, logger: false, config: { merchantCacheSeconds: 0, timestampWindowSeconds: 0, clock: () => now } });
      try {
        const fixture = await seedMachine(server.store);
        await merchantApi(server.url, fixture).createCodes(1);
        now += 90;
        const all = await scrape(server);
        assert.equal(valueOf(all, 'vendcloud_outbox_pending'), 1);
        assert.equal(valueOf(all, 'vendcloud_outbox_oldest_unsent_age_seconds'), 90);
        assert.equal(valueOf(all, 'vendcloud_machines_connected'), 0);
      } finally {
        await server.close();
        await location.cleanup();
      }
    });
  });
}

describe('vendcloud serve and the metrics port', () => {
  for (const how of ['--metrics-port', 'METRICS_PORT'] as const) {
    it(`${how} makes serve listen for GET /metrics on that port, and say where`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vendcloud-metrics-'));
      const [port, metricsPort] = [await closedPort(), await closedPort()];
      const args = ['serve', '--db', join(dir, 'vendcloud.sqlite'), '--port', String(port), '--no-mqtt'];
      const serve =
        how === '--metrics-port' ? startCli([...args, '--metrics-port', String(metricsPort)], /listening on/) : startCli(args, /listening on/, { METRICS_PORT: String(metricsPort) });
      try {
        const line = await serve.started;
        assert.match(line, new RegExp(`metrics http://127\\.0\\.0\\.1:${metricsPort}/metrics`));
        const answer = await request(`http://127.0.0.1:${metricsPort}/metrics`);
        assert.equal(answer.statusCode, 200);
        assert.match(await answer.body.text(), /^# HELP /m);
        const publicAnswer = await request(`http://127.0.0.1:${port}/metrics`);
        assert.equal(publicAnswer.statusCode, 404);
        await publicAnswer.body.dump();
      } finally {
        await serve.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
