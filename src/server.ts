/**
 * Starts vendcloud: opens the store, starts the machine link (MQTT), builds the HTTP app
 * and listens. The CLI's `serve` and the tests use this one function, so what is tested is
 * what runs.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp, type HealthCheck, type ServerConfig } from './http/app.js';
import { startMachineLink, wakingAfterWrites, type LinkOptions, type MachineLink, type MqttOptions } from './link/link.js';
import { linkLogger } from './link/logger.js';
import { logDestination, logFormat, type LogFormat } from './log-format.js';
import { openStore, type Store, type StoreOptions } from './store/store.js';

export interface ServerOptions {
  /** A SQLite file path or a postgres:// URL. */
  db: string;
  host?: string;
  port?: number;
  config?: Partial<ServerConfig>;
  store?: StoreOptions;
  /** false silences the request log (tests); default: lines on stdout as LOG_FORMAT says (log-format.ts). */
  logger?: FastifyBaseLogger | false;
  /**
   * The machine link. Default `{ mode: 'off' }` for the library (the CLI's `serve` starts an
   * embedded broker): without a link, pushes stay queued in the outbox.
   */
  mqtt?: MqttOptions;
  link?: LinkOptions;
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
  close(): Promise<void>;
}

export function createLogger(format: LogFormat = logFormat()): FastifyBaseLogger {
  const options = {
    level: process.env.LOG_LEVEL ?? 'info',
    // Defence in depth: the request log never carries headers, but if anything ever
    // logs them, secrets are masked.
    redact: ['req.headers.appsecret', 'headers.appsecret', '*.app_secret', '*.mqtt_password', '*.password'],
  };
  const destination = logDestination(format);
  return (destination ? pino(options, destination) : pino(options)) as unknown as FastifyBaseLogger;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger === undefined ? createLogger() : options.logger;
  const store = await openStore(options.db, options.store);
  let app: FastifyInstance;
  let link: MachineLink | undefined;
  try {
    const mqtt = options.mqtt ?? { mode: 'off' };
    if (mqtt.mode !== 'off') {
      link = await startMachineLink(store, mqtt, { clock: options.config?.clock, ...options.link }, linkLogger(logger));
    }
    const wake = link ? link.wake : () => undefined;
    const brokerCheck: Record<string, HealthCheck> = {};
    if (link) {
      const connectedLink = link;
      brokerCheck.broker = async () => {
        if (!connectedLink.connected) throw new Error('not connected');
      };
    }
    app = await buildApp({ store: wakingAfterWrites(store, wake), config: options.config ?? {}, logger, healthChecks: brokerCheck });
    options.extendApp?.(app);
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  } catch (error) {
    await link?.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  return {
    app,
    store,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    link,
    async close() {
      await app.close();
      await link?.close();
      await store.close();
    },
  };
}
