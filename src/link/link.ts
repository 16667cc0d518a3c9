/**
 * The machine link: the MQTT conversation between vendcloud and its vending machines
 * (MACHINE-LINK.md). It runs an embedded broker or uses an external one, connects the
 * server's own client, publishes the outbox, handles machine messages, and marks silent
 * machines offline when the housekeeping asks.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { DEFAULTS, type LinkConfig, type MqttOptions } from '../config.js';
import type { Store } from '../store/store.js';
import { SERVER_USERNAME } from './access.js';
import * as machines from '../store/repositories/machines.repository.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { newCounters, type LinkCounters } from './counters.js';
import { OutboxDispatcher, type Publisher } from './dispatcher.js';
import { MachineInbox, sweepSilentMachines } from './inbox.js';
import { withoutNagleDelay } from './no-delay.js';
import type { LinkLogger } from './logger.js';
import { SERVER_TOPIC } from '../protocol/machine-messages.js';
import { externalSession } from './session.js';

/** How long closing the link waits for the outbox to be sent. */
const FLUSH_ON_CLOSE_MS = 5000;

export interface MachineLink {
  /** Where machines connect, e.g. mqtt://127.0.0.1:1883 (without credentials). */
  readonly brokerUrl: string;
  /** The embedded broker's port; undefined on an external broker. */
  readonly brokerPort: number | undefined;
  /** The embedded broker's TLS port for machines (mqtts://), when it has one. */
  readonly brokerTlsPort: number | undefined;
  readonly counters: LinkCounters;
  /** Whether the server's own client is connected to the broker. */
  readonly connected: boolean;
  /** Resolves when the dispatcher and the inbox have nothing in hand. */
  idle(): Promise<void>;
  /** Marks the machines silent for longer than the heartbeat timeout offline; returns how many. */
  sweepOffline(): Promise<number>;
  /** Closes the embedded broker's connections of machines whose password changed or that were disabled since the last call; returns how many. */
  closeRevoked(): Promise<number>;
  close(): Promise<void>;
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Where and how the server's own client connects, and where it hears the machines. */
interface BrokerConnection {
  broker: EmbeddedBroker | undefined;
  url: string;
  options: mqtt.IClientOptions;
  inboxTopic: string;
}

async function brokerConnection(
  store: Store,
  mqttOptions: Exclude<MqttOptions, { mode: 'off' }>,
  counters: LinkCounters,
  logger: LinkLogger,
  onMachineListening: (machineNo: string) => void,
): Promise<BrokerConnection> {
  if (mqttOptions.mode === 'external') {
    return {
      broker: undefined,
      url: mqttOptions.url,
      options: externalSession(mqttOptions, logger),
      // With a shared subscription each machine message reaches one instance, not all of them.
      inboxTopic: `$share/${mqttOptions.shareGroup ?? DEFAULTS.mqtt.shareGroup}/${SERVER_TOPIC}`,
    };
  }
  const serverPassword = randomBytes(24).toString('base64url');
  const broker = await startEmbeddedBroker({
    host: mqttOptions.host ?? DEFAULTS.mqtt.host,
    port: mqttOptions.port ?? DEFAULTS.mqtt.port,
    store,
    serverPassword,
    counters,
    logger,
    limits: { ...DEFAULTS.mqtt.limits, ...mqttOptions.limits },
    ...(mqttOptions.tls ? { tls: mqttOptions.tls } : {}),
    onMachineListening,
  });
  return {
    broker,
    url: `mqtt://${hostForUrl(broker.host)}:${broker.port}`,
    // The one server client of this broker. The broker lives and dies with this process, so
    // its session only bridges a reconnect within one run: what saves a machine's report
    // across a restart is the machine re-sending it. aedes speaks MQTT 3.1.1 only.
    options: { username: SERVER_USERNAME, password: serverPassword, clientId: SERVER_USERNAME, clean: false, protocolVersion: 4 },
    inboxTopic: SERVER_TOPIC,
  };
}

/** Publishes at QoS 1 and resolves on the PUBACK, or fails after `timeoutMs`. */
function pubackPublisher(client: MqttClient, timeoutMs: number): Publisher {
  return {
    get connected() {
      return client.connected;
    },
    async publish(topic, payload) {
      if (!client.connected) throw new Error('not connected to the broker');
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.publishAsync(topic, payload, { qos: 1 }),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('no PUBACK in time')), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves when `promise` does or after `ms`, whichever comes first. */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export async function startMachineLink(
  store: Store,
  mqttOptions: Exclude<MqttOptions, { mode: 'off' }>,
  options: LinkConfig,
  logger: LinkLogger,
): Promise<MachineLink> {
  const counters = newCounters();
  const { clock } = options;
  // A machine subscribing on the embedded broker may have missed pushes: the inbox catches it up.
  let inbox: MachineInbox | undefined;
  const onMachineListening = (machineNo: string) => void inbox?.machineListening(machineNo);
  const { broker, url: connectUrl, options: connectOptions, inboxTopic } = await brokerConnection(store, mqttOptions, counters, logger, onMachineListening);
  const client: MqttClient = withoutNagleDelay(mqtt.connect(connectUrl, { ...connectOptions, reconnectPeriod: 1000, connectTimeout: 5000, resubscribe: false }));
  const publisher = pubackPublisher(client, options.publishTimeoutMs);
  const dispatcher = new OutboxDispatcher(store, publisher, { clock, pollIntervalMs: options.pollIntervalMs, counters, logger });
  inbox = new MachineInbox(store, { clock, counters, logger, publisher, messageAgeWindowSeconds: options.messageAgeWindowSeconds });

  let subscribed: () => void = () => undefined;
  const firstSubscription = new Promise<void>((resolve) => (subscribed = resolve));
  client.on('connect', () => {
    client.subscribe(inboxTopic, { qos: 1 }, (error) => {
      if (error) logger.error({ err: error }, 'cannot subscribe to machine messages');
      else subscribed();
      dispatcher.wake();
    });
  });
  client.on('message', (_topic, payload) => void inbox.receive(payload));
  client.on('error', (error) => logger.warn({ err: error.message }, 'mqtt client error'));
  client.on('offline', () => logger.warn({ broker: withoutCredentials(connectUrl) }, 'broker unreachable; pushes stay queued'));

  // The embedded broker answers at once. An external one may be down: the server starts
  // anyway (pushes wait in the outbox) and the client keeps reconnecting.
  await atMost(firstSubscription, broker ? 10_000 : 3000);

  // Whoever committed outbox rows (a route, the inbox, another service), they leave now.
  dispatcher.start();

  // Changes are stamped in whole seconds: each look goes back one second before the last.
  let revocationsSince = Math.floor(Date.now() / 1000) - 1;
  return {
    brokerUrl: withoutCredentials(connectUrl),
    brokerPort: broker?.port,
    brokerTlsPort: broker?.tlsPort,
    counters,
    get connected() {
      return client.connected;
    },
    async idle() {
      await inbox.idle();
      await dispatcher.idle();
    },
    sweepOffline: () => sweepSilentMachines(store, clock(), options.heartbeatTimeoutSeconds),
    async closeRevoked() {
      if (!broker) return 0;
      const lookedAt = Math.floor(Date.now() / 1000);
      const changed = await machines.numbersChangedSince(store.db, revocationsSince);
      revocationsSince = lookedAt - 1;
      return changed.filter((machineNo) => broker.disconnect(machineNo)).length;
    },
    async close() {
      // Graceful shutdown: what is in the outbox now leaves before the client disconnects
      // (bounded: a broker that stopped answering leaves the rest for the next start).
      if (client.connected) {
        dispatcher.wake();
        await atMost(dispatcher.idle(), FLUSH_ON_CLOSE_MS);
      }
      await dispatcher.stop();
      await client.endAsync(true);
      await inbox.idle();
      await broker?.close();
    },
  };
}
