/**
 * The Prometheus metrics of one instance (docs/operations.md lists them). What is counted
 * elsewhere is read where it is counted, on each scrape: the machine link's counters
 * (link/counters.ts), the callback sender's attempts, the store's backlog (service/backlog.ts)
 * and PostgreSQL's pool. Only the HTTP answers and the group commit's batch sizes are
 * observed here, as they happen. Each instance has a registry of its own, so two servers in
 * one process (the tests) never mix their figures.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallbackSender } from '../callbacks/sender.js';
import type { LinkCounters } from '../link/counters.js';
import { readBacklog, type Backlog } from '../service/backlog.js';
import type { Store } from '../store/store.js';

/** What the metrics read on a scrape; set as each part starts. */
export interface MetricSources {
  store?: Store;
  linkCounters?: LinkCounters;
  callbacks?: CallbackSender;
  clock: () => number;
}

/** Route label of a request no route took (404s): one label, whatever the URL was. */
const UNMATCHED = 'unmatched';
/** Group commits carry at most 256 writes (MAX_BATCH in both group commits). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  private readonly sources: MetricSources;
  private readonly requests: Counter<'route' | 'status' | 'code'>;
  private readonly durations: Histogram<'route'>;
  private readonly batches: Histogram;

  constructor(clock: () => number) {
    this.sources = { clock };
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'vendcloud_http_requests_total',
      help: 'HTTP answers by route pattern, HTTP status and the envelope code inside',
      labelNames: ['route', 'status', 'code'],
      registers,
    });
    this.durations = new Histogram({
      name: 'vendcloud_http_request_duration_seconds',
      help: 'Time from the request to its answer, by route pattern',
      labelNames: ['route'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.batches = new Histogram({ name: 'vendcloud_store_batch_size', help: 'Writes per group-commit transaction', buckets: BATCH_BUCKETS, registers });
    this.registerBacklog();
    this.registerLink();
    this.registerCallbacks();
  }

  /** What to read on a scrape, once each part has started; PostgreSQL's pool gauges exist only on PostgreSQL. */
  watch(parts: Omit<MetricSources, 'clock'>): void {
    Object.assign(this.sources, parts);
    if (parts.store?.poolState) this.registerPool();
  }

  /** The store's onBatch. */
  readonly observeBatch = (size: number): void => this.batches.observe(size);

  /** Counts every answer of `app` once it is sent. */
  observeRequests(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const pattern = request.routeOptions.url;
      // The pattern, never the URL: one series per route, whatever ids a client sends.
      const route = pattern === undefined ? UNMATCHED : `${request.method} ${pattern}`;
      const code = reply.apiCode === undefined ? '' : String(reply.apiCode);
      this.requests.inc({ route, status: String(reply.statusCode), code });
      this.durations.observe({ route }, reply.elapsedTime / 1000);
    });
  }

  private registerBacklog(): void {
    const sources = this.sources;
    // One read per scrape serves the four gauges: a scrape collects them all at once, and they share it.
    // A store that does not answer leaves them as they were; /readyz says why.
    let reading: Promise<Backlog | undefined> | undefined;
    const read = () => (reading ??= (sources.store ? readBacklog(sources.store, sources.clock()).catch(() => undefined) : Promise.resolve(undefined)).finally(() => (reading = undefined)));
    const gauge = (name: string, help: string, pick: (figures: Backlog) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const figures = await read();
          if (figures) this.set(pick(figures));
        },
      });
    gauge('vendcloud_machines_connected', 'Machines online (a heartbeat within the timeout), in the whole fleet', (figures) => figures.machinesOnline);
    gauge('vendcloud_outbox_pending', 'Pushes to machines not yet sent, in the whole fleet', (figures) => figures.pushesUnsent);
    gauge('vendcloud_outbox_oldest_unsent_age_seconds', 'Age of the oldest push not yet sent; 0 when none waits', (figures) => figures.oldestUnsentAgeSeconds);
    gauge('vendcloud_callbacks_pending', 'Callbacks waiting for an attempt, in the whole fleet', (figures) => figures.callbacksPending);
  }

  private registerLink(): void {
    const sources = this.sources;
    new Counter({
      name: 'vendcloud_mqtt_messages_total',
      help: 'Machine messages by direction (in: from machines, out: to them), method (where trusted) and outcome (drops by reason)',
      labelNames: ['direction', 'method', 'outcome'],
      registers: [this.registry],
      collect() {
        const counters = sources.linkCounters;
        if (!counters) return;
        this.reset();
        for (const [series, value] of linkSeries(counters)) this.inc(series, value);
      },
    });
    new Counter({
      name: 'vendcloud_mqtt_refusals_total',
      help: 'What the embedded broker refused: logins, subscriptions, publications',
      labelNames: ['what'],
      registers: [this.registry],
      collect() {
        const counters = sources.linkCounters;
        if (!counters) return;
        this.reset();
        this.inc({ what: 'login' }, counters.refusedLogins);
        this.inc({ what: 'subscription' }, counters.refusedSubscriptions);
        this.inc({ what: 'publication' }, counters.refusedPublications);
      },
    });
  }

  private registerCallbacks(): void {
    const sources = this.sources;
    new Counter({
      name: 'vendcloud_callback_attempts_total',
      help: "This instance's callback attempts by outcome (delivered, retry, failed: given up, lost-claim)",
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        if (!sources.callbacks) return;
        this.reset();
        for (const [outcome, count] of Object.entries(sources.callbacks.attempts)) this.inc({ outcome }, count);
      },
    });
  }

  private registerPool(): void {
    const sources = this.sources;
    const pool = (name: string, help: string, pick: (state: { total: number; idle: number; waiting: number }) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const state = sources.store?.poolState?.();
          if (state) this.set(pick(state));
        },
      });
    pool('vendcloud_pg_pool_connections', 'PostgreSQL connections open (idle or lent out)', (state) => state.total);
    pool('vendcloud_pg_pool_idle_connections', 'PostgreSQL connections open and idle', (state) => state.idle);
    pool('vendcloud_pg_pool_waiting_requests', 'Requests waiting for a PostgreSQL connection', (state) => state.waiting);
  }
}

type LinkSeries = [{ direction: 'in' | 'out'; method: string; outcome: string }, number];

/** The link's counters as series of vendcloud_mqtt_messages_total; a method of '' where it is not known. */
export function linkSeries(counters: LinkCounters): LinkSeries[] {
  const byMethod = (direction: 'in' | 'out', outcome: keyof LinkCounters['byMethod']): LinkSeries[] =>
    Object.entries(counters.byMethod[outcome]).map(([method, count]) => [{ direction, method, outcome }, count]);
  return [
    ...byMethod('in', 'handled'),
    [{ direction: 'in', method: '', outcome: 'duplicate' }, counters.duplicates],
    [{ direction: 'in', method: '', outcome: 'conflict' }, counters.conflicts],
    ...Object.entries(counters.dropped).map(([reason, count]): LinkSeries => [{ direction: 'in', method: '', outcome: `dropped_${reason}` }, count]),
    ...byMethod('out', 'published'),
    ...byMethod('out', 'acknowledged'),
    [{ direction: 'out', method: '', outcome: 'superseded' }, counters.superseded],
    [{ direction: 'out', method: '', outcome: 'failed' }, counters.publishFailures],
  ];
}
