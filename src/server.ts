/**
 * Starts vendcloud: resolves the configuration once, opens the store, starts the machine
 * link (MQTT), builds the HTTP app, starts the housekeeping and listens. The CLI's `serve`
 * and the tests use this one function, so what is tested is what runs.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { startCallbackSender, type CallbackSender } from './callbacks/sender.js';
import { resolveConfig, type Config, type ConfigInput } from './config.js';
import { purgeOldCallbacks, startHousekeeping, timeOutDeliveries, type Chore, type Housekeeping } from './housekeeping.js';
import { AnsweredRequests } from './http/answer-once.js';
import { buildApp, type HealthCheck } from './http/app.js';
import { startMachineLink, type MachineLink } from './link/link.js';
import { linkLogger } from './link/logger.js';
import { logDestination, logFormat } from './log-format.js';
import { startMetricsListener, type MetricsListener } from './ops/metrics-listener.js';
import { Metrics } from './ops/metrics.js';
import { purgeSentPushes } from './service/outbox.js';
import { choreAuthor, runChange } from './service/runner.js';
import { openStore, type Store } from './store/store.js';

export interface ServerOptions extends ConfigInput {
  /** false silences the request log (tests); default: lines on stdout as `logFormat` says (log-format.ts). */
  logger?: FastifyBaseLogger | false;
  /** Adds to the app before it listens (hooks, routes); the tests check every answer's shape here. */
  extendApp?: (app: FastifyInstance) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** The machine link, unless it is off. */
  link: MachineLink | undefined;
  /** The callback sender (docs/callbacks.md). */
  callbacks: CallbackSender;
  /** Where GET /metrics answers (with `metricsPort`), e.g. http://127.0.0.1:9464. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): FastifyBaseLogger {
  const options = {
    level: config.logLevel,
    // Defence in depth: the request log never carries headers, but if anything ever
    // logs them, secrets are masked.
    redact: ['req.headers.appsecret', 'headers.appsecret', '*.app_secret', '*.mqtt_password', '*.password', '*.webhook_secret'],
  };
  const destination = logDestination(logFormat(config.logFormat));
  return (destination ? pino(options, destination) : pino(options)) as unknown as FastifyBaseLogger;
}

function chores(config: Config, store: Store, answers: AnsweredRequests, link: MachineLink | undefined): Chore[] {
  const { clock } = config.server;
  const { purgeIntervalMs, sweepIntervalMs, deliveryTimeoutIntervalMs, revocationIntervalMs, keepCallbacksDays } = config.housekeeping;
  return [
    { name: 'purging answered requests', intervalMs: purgeIntervalMs, run: () => answers.purge(clock()) },
    { name: 'purging sent pushes', intervalMs: purgeIntervalMs, run: () => runChange(store, choreAuthor(clock()), (work) => purgeSentPushes(work.trx, work.now)) },
    { name: 'purging old callbacks', intervalMs: purgeIntervalMs, run: () => purgeOldCallbacks(store, clock(), keepCallbacksDays) },
    ...(link ? [{ name: 'offline sweep', intervalMs: sweepIntervalMs, run: () => link.sweepOffline() }] : []),
    ...(link ? [{ name: 'revoked machine credentials', intervalMs: revocationIntervalMs, run: () => link.closeRevoked() }] : []),
    { name: 'delivery timeouts', intervalMs: deliveryTimeoutIntervalMs, run: () => timeOutDeliveries(store, clock(), config.server.deliveryResultTimeoutSeconds) },
  ];
}

function brokerCheck(link: MachineLink | undefined): Record<string, HealthCheck> {
  if (!link) return {};
  return {
    broker: async () => {
      if (!link.connected) throw new Error('not connected');
    },
  };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = resolveConfig(options);
  // Before the store opens: a wrong log format stops the start with nothing opened.
  const logger = options.logger === undefined ? createLogger(config) : options.logger;
  // Measured only when someone reads the figures: no metrics port, no cost.
  const metrics = config.metricsPort === undefined ? undefined : new Metrics(config.server.clock);
  const store = await openStore(config.db, metrics ? { ...config.store, onBatch: metrics.observeBatch } : config.store);
  let app: FastifyInstance;
  let link: MachineLink | undefined;
  let housekeeping: Housekeeping | undefined;
  let callbacks: CallbackSender;
  let metricsListener: MetricsListener | undefined;
  try {
    if (config.mqtt.mode !== 'off') link = await startMachineLink(store, config.mqtt, config.link, linkLogger(logger));
    const answers = new AnsweredRequests(store, config.server.timestampWindowSeconds);
    app = await buildApp({ store, config: config.server, answers, logger, healthChecks: brokerCheck(link) });
    metrics?.observeRequests(app);
    options.extendApp?.(app);
    if (metrics) metricsListener = await startMetricsListener(metrics, config.host, config.metricsPort!);
    await app.listen({ host: config.host, port: config.port });
    housekeeping = startHousekeeping(chores(config, store, answers, link), app.log);
    callbacks = startCallbackSender(store, config.callbacks, app.log.child({ component: 'callbacks' }));
    metrics?.watch({ store, linkCounters: link?.counters, callbacks });
  } catch (error) {
    await metricsListener?.close();
    await link?.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app,
    store,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    link,
    callbacks,
    metricsUrl: metricsListener?.url,
    async close() {
      await metricsListener?.close();
      await housekeeping?.stop();
      await callbacks.stop();
      await app.close();
      await link?.close();
      await store.close();
    },
  };
}
