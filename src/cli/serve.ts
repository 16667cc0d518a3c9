/** `vendcloud serve`: runs the Open API (and, with --demo, seeds and prints credentials). */
import { Option, type Command } from 'commander';
import { dbFromEnvironment, DEFAULTS, ENV, type MqttOptions } from '../config.js';
import { encodeSignedPayload } from '../protocol/payload.js';
import { API_PREFIX, CONSOLE_PREFIX } from '../protocol/endpoints.js';
import type { DemoCredentials } from '../service/demo.js';
import { stableClientId } from '../link/session.js';
import type { RunningServer, ServerOptions } from '../server.js';
import { EXIT, fail, parseWholeNumber } from './output.js';

interface ServeOptions {
  host: string;
  port: number;
  metricsPort?: number;
  db: string;
  demo?: boolean;
  timestampWindow: number;
  deliveryTimeout: number;
  timeZone: string;
  synchronous: 'FULL' | 'NORMAL';
  rateLimit: number;
  failedAuthLimit: number;
  wrongCodesLimit: number;
  wrongCodesWindow: number;
  trustProxy?: string;
  redisUrl?: string;
  mqtt: boolean;
  mqttHost: string;
  mqttPort: number;
  mqttTlsPort?: number;
  mqttTlsCert?: string;
  mqttTlsKey?: string;
  mqttUrl?: string;
  mqttShareGroup: string;
  mqttClientId?: string;
  mqttSessionExpiry: number;
  allowPrivateCallbacks?: boolean;
  keepCallbacksDays: number;
  dbSchema?: string;
  logLevel: string;
  logFormat?: string;
}

function mqttOptions(options: ServeOptions): MqttOptions {
  if (!options.mqtt) return { mode: 'off' };
  if (options.mqttUrl) {
    const clientId = options.mqttClientId ?? stableClientId(options.port);
    return { mode: 'external', url: options.mqttUrl, shareGroup: options.mqttShareGroup, sessionExpirySeconds: options.mqttSessionExpiry, ...(clientId ? { clientId } : {}) };
  }
  const { mqttTlsPort: tlsPort, mqttTlsCert: certFile, mqttTlsKey: keyFile } = options;
  const tls = tlsPort !== undefined && certFile && keyFile ? { tls: { port: tlsPort, certFile, keyFile } } : {};
  return { mode: 'embedded', host: options.mqttHost, port: options.mqttPort, ...tls };
}

function linkLine(server: RunningServer): string {
  if (!server.link) return '  MQTT         off (pushes wait in the outbox)';
  const tls = server.link.brokerTlsPort !== undefined ? `; TLS on port ${server.link.brokerTlsPort} (mqtts://)` : '';
  return `  MQTT         ${server.link.brokerUrl}   (machines: /clients/{machine_no}, server: /server/app${tls})`;
}

function demoBanner(server: RunningServer, demo: DemoCredentials): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const payload = encodeSignedPayload({ machine_no: demo.machine_no, timestamp }, String(demo.merchant_id));
  return [
    '',
    'vendcloud demo is running',
    `  Console      ${server.url}${CONSOLE_PREFIX}/   (open it in a browser; sign in with the three lines below)`,
    `  Open API     ${server.url}${API_PREFIX}`,
    `  merchant_id  ${demo.merchant_id}   (the signing key)`,
    `  Appid        ${demo.appid}`,
    `  AppSecret    ${demo.app_secret}`,
    `  machine_no   ${demo.machine_no}   (MQTT password ${demo.mqtt_password})`,
    `  product ids  ${demo.product_ids.join(', ')}`,
    linkLine(server),
    '',
    'Try it (the signed payload is valid for 5 minutes):',
    `  curl -s -X POST ${server.url}${API_PREFIX}/ping -H 'Appid: ${demo.appid}' -H 'AppSecret: ${demo.app_secret}'`,
    `  curl -s -X POST ${server.url}${API_PREFIX}/products/${demo.product_ids[0]}/pickup_code -H 'Appid: ${demo.appid}' -H 'AppSecret: ${demo.app_secret}' -d '{"payload":"${payload}"}'`,
    '',
    ...(server.link
      ? [
          'Run a simulated machine (another terminal; type `codes`, `redeem CODE`, `offline`, `online`, `quit`):',
          `  node dist/src/cli/main.js machine-sim --machine-no ${demo.machine_no} --password ${demo.mqtt_password} --appid ${demo.appid} --mqtt-url ${server.link.brokerUrl}`,
          '',
        ]
      : []),
  ].join('\n');
}

/** What `serve`'s flags ask of the server. */
function serverOptionsOf(options: ServeOptions): ServerOptions {
  return {
    db: options.db,
    host: options.host,
    port: options.port,
    ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    logLevel: options.logLevel,
    ...(options.logFormat ? { logFormat: options.logFormat } : {}),
    config: {
      timestampWindowSeconds: options.timestampWindow,
      deliveryResultTimeoutSeconds: options.deliveryTimeout,
      timeZone: options.timeZone,
      rateLimitPerMinute: options.rateLimit,
      failedAuthPerMinute: options.failedAuthLimit,
      wrongCodesPerMachine: options.wrongCodesLimit,
      wrongCodesWindowSeconds: options.wrongCodesWindow,
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    },
    store: { sqliteSynchronous: options.synchronous, ...(options.dbSchema ? { pgSchema: options.dbSchema } : {}) },
    mqtt: mqttOptions(options),
    callbacks: { allowPrivate: options.allowPrivateCallbacks === true },
    housekeeping: { keepCallbacksDays: options.keepCallbacksDays },
  };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Open API server')
    // Commander reads each flag's environment variable (flag > environment > default).
    .addOption(new Option('--host <host>', 'address to listen on').env(ENV.host).default(DEFAULTS.host))
    .addOption(new Option('--port <port>', 'HTTP port').env(ENV.port).argParser(parseWholeNumber(0)).default(DEFAULTS.port))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at GET /metrics on this port (off when unset)').env(ENV.metricsPort).argParser(parseWholeNumber(0)))
    .option('--db <path>', `SQLite file or postgres:// URL (env ${ENV.db.join(', ')})`, dbFromEnvironment())
    .addOption(new Option('--db-schema <name>', 'PostgreSQL schema for the tables').env(ENV.dbSchema))
    .option('--demo', 'seed demo data when empty and print credentials')
    .option('--timestamp-window <seconds>', 'accepted clock skew of signed requests; 0 = off', parseWholeNumber(0), DEFAULTS.server.timestampWindowSeconds)
    .option('--delivery-timeout <seconds>', 'a delivery without the machine\'s result this long after its command times out', parseWholeNumber(1), DEFAULTS.server.deliveryResultTimeoutSeconds)
    .option('--time-zone <zone>', 'platform time zone', DEFAULTS.server.timeZone)
    .option('--rate-limit <per-minute>', 'requests per minute per Appid (on each instance, or in all with --redis-url); 0 = no limit', parseWholeNumber(0), DEFAULTS.server.rateLimitPerMinute)
    .option('--failed-auth-limit <per-minute>', 'failed authentications per minute per client address, then 429 (docs/security.md); 0 = no limit', parseWholeNumber(0), DEFAULTS.server.failedAuthPerMinute)
    .option('--wrong-codes-limit <count>', 'wrong pickup codes per machine through /consumes in --wrong-codes-window, then 10029 (docs/security.md); 0 = no limit', parseWholeNumber(0), DEFAULTS.server.wrongCodesPerMachine)
    .option('--wrong-codes-window <seconds>', 'the window of --wrong-codes-limit', parseWholeNumber(1), DEFAULTS.server.wrongCodesWindowSeconds)
    .option('--trust-proxy <addresses>', "the load balancers (addresses or CIDRs, comma-separated) whose X-Forwarded-For gives the client's address")
    .addOption(new Option('--redis-url <url>', 'Redis where every instance counts the rate limit, e.g. redis://host:6379').env(ENV.redisUrl))
    .option('--synchronous <FULL|NORMAL>', 'SQLite durability (FULL survives power loss)', DEFAULTS.store.sqliteSynchronous)
    .addOption(new Option('--log-level <level>', 'pino log level').env(ENV.logLevel).default(DEFAULTS.logLevel))
    .addOption(new Option('--log-format <json|pretty>', 'log lines as JSON or for a person (default: pretty on a terminal, JSON otherwise)').env(ENV.logFormat))
    .addOption(new Option('--mqtt-host <host>', 'address of the embedded MQTT broker').env(ENV.mqttHost).default(DEFAULTS.mqtt.host))
    .addOption(new Option('--mqtt-port <port>', 'port of the embedded MQTT broker').env(ENV.mqttPort).argParser(parseWholeNumber(0)).default(DEFAULTS.mqtt.port))
    .option('--mqtt-tls-port <port>', 'also listen for machines with TLS (mqtts://) on this port; needs --mqtt-tls-cert and --mqtt-tls-key', parseWholeNumber(0))
    .option('--mqtt-tls-cert <file>', "the TLS listener's certificate chain (PEM)")
    .option('--mqtt-tls-key <file>', "the TLS listener's private key (PEM)")
    .addOption(new Option('--mqtt-url <url>', 'use an external broker instead, e.g. mqtt://user:pass@host:1883').env(ENV.mqttUrl))
    .addOption(new Option('--mqtt-share-group <name>', 'instances on one external broker share machine messages through this group').env(ENV.mqttShareGroup).default(DEFAULTS.mqtt.shareGroup))
    .addOption(
      new Option('--mqtt-client-id <id>', "this instance's MQTT client id on an external broker, the same after every restart (default vendcloud-HOSTNAME-PORT)").env(ENV.mqttClientId),
    )
    .option('--mqtt-session-expiry <seconds>', 'how long an external broker queues machine messages for this instance while it is away', parseWholeNumber(0), DEFAULTS.mqtt.sessionExpirySeconds)
    .option('--no-mqtt', 'run without the machine link (pushes stay queued in the outbox)')
    .option('--allow-private-callbacks', 'let callbacks and webhooks go to loopback and private addresses (tests, a closed network)')
    .option('--keep-callbacks-days <days>', 'days callback attempts and delivered webhook events are kept, then purged (docs/deployment.md)', parseWholeNumber(1), DEFAULTS.housekeeping.keepCallbacksDays)
    .action(async (options: ServeOptions) => {
      if (options.synchronous !== 'FULL' && options.synchronous !== 'NORMAL') fail('--synchronous must be FULL or NORMAL', EXIT.USAGE);
      if (options.mqttUrl && !/^mqtts?:\/\//.test(options.mqttUrl)) fail('--mqtt-url must start with mqtt:// or mqtts://', EXIT.USAGE);
      const tlsFlags = [options.mqttTlsPort, options.mqttTlsCert, options.mqttTlsKey].filter((flag) => flag !== undefined).length;
      if (tlsFlags !== 0 && tlsFlags !== 3) fail('--mqtt-tls-port, --mqtt-tls-cert and --mqtt-tls-key go together', EXIT.USAGE);
      if (options.redisUrl && !/^rediss?:\/\//.test(options.redisUrl)) fail('--redis-url must start with redis:// or rediss://', EXIT.USAGE);
      const serverOptions = serverOptionsOf(options);
      // Loaded on use, so the other commands start without the server's dependencies.
      const [{ startServer }, { BrokerPortInUseError }, { ensureDemoData }] = await Promise.all([
        import('../server.js'),
        import('../link/broker.js'),
        import('../service/demo.js'),
      ]);
      let server: RunningServer;
      try {
        try {
          server = await startServer(serverOptions);
        } catch (error) {
          // The demo must always start: another broker (say a system Mosquitto) may hold 1883.
          if (!(error instanceof BrokerPortInUseError && options.demo)) throw error;
          server = await startServer({ ...serverOptions, mqtt: { mode: 'embedded', host: options.mqttHost, port: 0 } });
          process.stdout.write(`MQTT port ${options.mqttPort} is in use; the demo broker listens on ${server.link!.brokerUrl} instead\n`);
        }
      } catch (error) {
        if (error instanceof BrokerPortInUseError) {
          fail(`MQTT port ${error.port} is in use: choose another with --mqtt-port, or use an external broker with --mqtt-url`, EXIT.USAGE);
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') fail(`port ${options.port} is in use: choose another with --port or PORT`, EXIT.USAGE);
        fail(`cannot start: ${(error as Error).message}`, EXIT.API_ERROR);
      }
      if (options.demo) process.stdout.write(`${demoBanner(server, await ensureDemoData(server.store))}\n`);
      else process.stdout.write(`vendcloud listening on ${server.url}${API_PREFIX}; console ${server.url}${CONSOLE_PREFIX}/; MQTT ${server.link?.brokerUrl ?? 'off'}${server.metricsUrl ? `; metrics ${server.metricsUrl}/metrics` : ''}\n`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
