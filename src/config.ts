/**
 * vendcloud's configuration in one place: every setting of the server, its default
 * (written here and nowhere else) and the environment variable that sets it. The CLI's
 * `serve`, the bench and the tests give what they want to change; `resolveConfig` fills in
 * the rest once, into one frozen, typed object that the server hands down to the store,
 * the HTTP app, the machine link and the housekeeping. Flags are named as here in the CLI,
 * the bench and the docs (`--db-schema`, `--timestamp-window`, …).
 */
import { DEFAULT_MQTT_PORT } from './link/message.js';
import { DEFAULT_TIME_ZONE, nowSeconds } from './protocol/time.js';
import type { StoreOptions } from './store/store.js';

/** What the HTTP app needs to know. */
export interface ServerConfig {
  /** Largest accepted |server clock − timestamp|, seconds; 0 turns the check off. */
  timestampWindowSeconds: number;
  /** The platform time zone in which times are read and written. */
  timeZone: string;
  bodyLimitBytes: number;
  /** How stale a cached merchant row, or a merchant's machine (its MachineRef), may be, seconds; 0 = not cached. */
  merchantCacheSeconds: number;
  /** Requests per minute one Appid may make (on each instance, or in all together with redisUrl); 0 = no limit. */
  rateLimitPerMinute: number;
  /** Redis (redis://…) where every instance counts the rate limit; undefined = each counts alone. */
  redisUrl?: string;
  /** Prefix of the rate limit's keys in Redis. */
  redisKeyPrefix: string;
  /** Failed authentications (unknown Appid, wrong secret) one client address may make a minute; then 429. 0 = no limit. */
  failedAuthPerMinute: number;
  /** Wrong pickup codes through /consumes one machine may take in `wrongCodesWindowSeconds`; then 429 (docs/security.md). 0 = no limit. */
  wrongCodesPerMachine: number;
  wrongCodesWindowSeconds: number;
  /**
   * Whose X-Forwarded-For tells the client's address: the load balancers' addresses or CIDRs,
   * comma-separated. Unset: the connection's address.
   */
  trustProxy?: string;
  /** How long a client may take to send a whole request (headers and body), ms; then 408. */
  requestTimeoutMs: number;
  /** A delivery without the machine's result this long after its command times out (delivery_put.md: 120 s). */
  deliveryResultTimeoutSeconds: number;
  /** Unix seconds now; tests replace it to move time. */
  clock: () => number;
}

/** The server's MQTT session on an external broker (link/session.ts). */
export interface ExternalSession {
  /** One per instance, the same after every restart; without it, a random id and a clean session. */
  clientId?: string;
  /** How long the broker keeps the session of an absent instance. */
  sessionExpirySeconds?: number;
}

/** What one connection may cost the embedded broker (docs/security.md, "The machine link"). */
export interface BrokerLimits {
  /** Largest packet a machine may send after its CONNECT, bytes. */
  maxPacketBytes: number;
  /** Largest CONNECT (it carries the credentials), bytes. */
  connectPacketBytes: number;
  /** Connections that have not logged in yet, at most; more are closed at once. */
  maxPendingConnections: number;
  /** A connection that has not sent its CONNECT this long after opening is closed, ms. */
  connectTimeoutMs: number;
  /** Messages a machine may send at once, then `machineMessagesPerSecond`; over it, it is disconnected. */
  machineMessageBurst: number;
  machineMessagesPerSecond: number;
}

/** The embedded broker's TLS listener for machines (PEM files). */
export interface BrokerTls {
  port: number;
  certFile: string;
  keyFile: string;
}

export type MqttOptions =
  | { mode: 'embedded'; host?: string; port?: number; limits?: Partial<BrokerLimits>; tls?: BrokerTls }
  /**
   * `url` may carry the server's credentials (mqtt://user:pass@host:1883). Several
   * instances share machine messages through the shared subscription `shareGroup`.
   */
  | ({ mode: 'external'; url: string; shareGroup?: string } & ExternalSession)
  | { mode: 'off' };

/** The machine link's timings. */
export interface LinkConfig {
  /** A machine without a heartbeat for this long is offline. */
  heartbeatTimeoutSeconds: number;
  /** How often the outbox is checked without a wake-up (other instances' rows, retries), ms. */
  pollIntervalMs: number;
  /** How long to wait for a PUBACK before leaving a row for a later round, ms. */
  publishTimeoutMs: number;
  /** A machine message whose timestamp is further than this from the server's clock is dropped and counted; 0 = no check. */
  messageAgeWindowSeconds: number;
  /** Unix seconds now; the server's clock unless a test gives another. */
  clock: () => number;
}

/** The periodic chores of one instance (housekeeping.ts). */
export interface HousekeepingConfig {
  /** How often stored answers and sent pushes are purged, ms. */
  purgeIntervalMs: number;
  /** How often machines without a heartbeat are marked offline, ms (only with a machine link). */
  sweepIntervalMs: number;
  /** How often the embedded broker closes the connections of machines whose password was rotated or that were disabled, ms. */
  revocationIntervalMs: number;
  /** How often deliveries past their result timeout are looked for, ms. */
  deliveryTimeoutIntervalMs: number;
  /** Days callback attempts and finished merchant events are kept (`--keep-callbacks-days`); purged every purgeIntervalMs. */
  keepCallbacksDays: number;
}

/** The callback sender (src/callbacks, docs/callbacks.md). */
export interface CallbacksConfig {
  /** Let callbacks go to loopback and private addresses (tests, a closed network); off by default (SSRF). */
  allowPrivate: boolean;
  /** How often the queue is checked without a wake-up (retries, other instances' rows), ms. */
  pollIntervalMs: number;
  /** One attempt's limit, ms: connect, send, answer. */
  timeoutMs: number;
  /** How long a claimed attempt stays this instance's, seconds; a sender that died lets go after it. */
  leaseSeconds: number;
  /** Attempts in flight at once per instance. */
  concurrency: number;
  /** Unix seconds now; the server's clock unless a test gives another. */
  clock: () => number;
}

export const DEFAULTS = {
  db: 'data/vendcloud.sqlite',
  host: '127.0.0.1',
  port: 8080,
  logLevel: 'info',
  store: { sqliteSynchronous: 'FULL' },
  server: {
    timestampWindowSeconds: 300,
    timeZone: DEFAULT_TIME_ZONE,
    bodyLimitBytes: 64 * 1024,
    merchantCacheSeconds: 5,
    rateLimitPerMinute: 3000,
    redisKeyPrefix: 'vendcloud:rate-limit:',
    failedAuthPerMinute: 100,
    wrongCodesPerMachine: 10,
    wrongCodesWindowSeconds: 900,
    requestTimeoutMs: 30_000,
    deliveryResultTimeoutSeconds: 120,
  },
  mqtt: {
    host: '127.0.0.1',
    port: DEFAULT_MQTT_PORT,
    shareGroup: 'vendcloud',
    sessionExpirySeconds: 24 * 3600,
    limits: {
      maxPacketBytes: 64 * 1024,
      connectPacketBytes: 4 * 1024,
      maxPendingConnections: 256,
      connectTimeoutMs: 10_000,
      machineMessageBurst: 100,
      machineMessagesPerSecond: 10,
    },
  },
  link: { heartbeatTimeoutSeconds: 600, pollIntervalMs: 1000, publishTimeoutMs: 10_000, messageAgeWindowSeconds: 86_400 },
  housekeeping: { purgeIntervalMs: 60_000, sweepIntervalMs: 60_000, deliveryTimeoutIntervalMs: 1000, revocationIntervalMs: 1000, keepCallbacksDays: 30 },
  callbacks: { allowPrivate: false, pollIntervalMs: 1000, timeoutMs: 10_000, leaseSeconds: 60, concurrency: 16 },
} as const;

/** The environment variables the server reads, by setting. */
export const ENV = {
  /** The first one set wins. */
  db: ['VENDCLOUD_DB', 'DATABASE_URL'],
  dbSchema: 'VENDCLOUD_DB_SCHEMA',
  host: 'HOST',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  logFormat: 'LOG_FORMAT',
  mqttHost: 'MQTT_HOST',
  mqttPort: 'MQTT_PORT',
  mqttUrl: 'MQTT_URL',
  mqttShareGroup: 'MQTT_SHARE_GROUP',
  mqttClientId: 'MQTT_CLIENT_ID',
  redisUrl: 'REDIS_URL',
  /** Prometheus metrics on this port (GET /metrics); unset: no metrics listener. */
  metricsPort: 'METRICS_PORT',
} as const;

/** The whole configuration, as the server runs with it. */
export interface Config {
  /** A SQLite file path or a postgres:// URL. */
  db: string;
  store: StoreOptions;
  host: string;
  port: number;
  /** The Prometheus metrics' own listener (on `host`); undefined (the default): none, and nothing is measured. */
  metricsPort: number | undefined;
  logLevel: string;
  /** `json` or `pretty`; unset, a terminal gets pretty lines and anything else JSON (log-format.ts). */
  logFormat: string | undefined;
  server: ServerConfig;
  /** Default `{ mode: 'off' }` for the library (the CLI's `serve` starts an embedded broker): pushes stay queued. */
  mqtt: MqttOptions;
  link: LinkConfig;
  housekeeping: HousekeepingConfig;
  callbacks: CallbacksConfig;
}

/** What a caller sets; everything left out takes its default. */
export interface ConfigInput {
  db: string;
  store?: StoreOptions;
  host?: string;
  port?: number;
  metricsPort?: number;
  logLevel?: string;
  logFormat?: string;
  config?: Partial<ServerConfig>;
  mqtt?: MqttOptions;
  link?: Partial<LinkConfig>;
  housekeeping?: Partial<HousekeepingConfig>;
  callbacks?: Partial<CallbacksConfig>;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The one place where defaults are filled in. The log settings also come from the
 * environment when the caller leaves them out, as they did before there was a CLI flag.
 */
export function resolveConfig(input: ConfigInput, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const server: ServerConfig = { ...DEFAULTS.server, clock: nowSeconds, ...input.config };
  return deepFreeze({
    db: input.db,
    store: { ...DEFAULTS.store, ...input.store },
    host: input.host ?? DEFAULTS.host,
    port: input.port ?? DEFAULTS.port,
    metricsPort: input.metricsPort,
    logLevel: input.logLevel ?? (env[ENV.logLevel] || DEFAULTS.logLevel),
    logFormat: input.logFormat ?? (env[ENV.logFormat] || undefined),
    server,
    mqtt: { ...(input.mqtt ?? { mode: 'off' }) },
    link: { ...DEFAULTS.link, clock: server.clock, ...input.link },
    housekeeping: { ...DEFAULTS.housekeeping, ...input.housekeeping },
    callbacks: { ...DEFAULTS.callbacks, clock: server.clock, ...input.callbacks },
  });
}

/** Where the database is when no flag says: VENDCLOUD_DB, else DATABASE_URL, else a file under ./data. */
export function dbFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return ENV.db.map((name) => env[name]).find((value) => value) ?? DEFAULTS.db;
}
