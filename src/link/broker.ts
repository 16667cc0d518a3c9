/**
 * The MQTT broker embedded in the server process (aedes), so one command runs everything.
 * Its hooks are the single place where the link's access rules are enforced: a machine
 * logs in as its machine_no with its MQTT password, reads only its own topic, writes only
 * the server topic, and only messages that name itself.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { BrokerLimits, BrokerTls } from '../config.js';
import type { Store } from '../store/store.js';
import { authenticateMachine, mayPublish, maySubscribe, SERVER_USERNAME, type LinkIdentity } from './access.js';
import { MessageRate, PendingConnections } from './connection-limits.js';
import { guardSocket } from './packet-guard.js';
import type { LinkCounters } from './counters.js';
import { machineNoOfTopic } from '../protocol/machine-messages.js';
import { parseMachineMessage } from './message.js';
import type { LinkLogger } from './logger.js';

export class BrokerPortInUseError extends Error {
  override name = 'BrokerPortInUseError';
  constructor(readonly port: number) {
    super(`MQTT port ${port} is in use`);
  }
}

export interface EmbeddedBroker {
  host: string;
  port: number;
  /** The TLS listener's port, when there is one. */
  tlsPort: number | undefined;
  /** Closes the connection of that machine, if it has one on this broker (its credentials changed). */
  disconnect(machineNo: string): boolean;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  store: Store;
  /** The password of the server's own client, made afresh by each process. */
  serverPassword: string;
  counters: LinkCounters;
  logger: LinkLogger;
  limits: BrokerLimits;
  /** A second listener for machines, with TLS (mqtts://). */
  tls?: BrokerTls;
  /** A machine subscribed to its own topic (a connect or reconnect). */
  onMachineListening?: (machineNo: string) => void;
}

/** The server's own client publishes whole code lists: MQTT's own limit is its only one. */
const SERVER_PACKET_BYTES = 268_435_455;

// aedes' return codes (an enum in its typings that cannot be imported at run time).
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The broker's three access hooks: the one place where who may log in, subscribe and
 * publish is decided (access.ts holds the rules they apply).
 */
function accessHooks(
  options: EmbeddedBrokerOptions,
  connections: ConnectionBook,
  connectedClient: (clientId: string) => Client | undefined,
): Pick<AedesOptions, 'authenticate' | 'authorizeSubscribe' | 'authorizePublish'> {
  const { store, counters, logger, limits } = options;
  const identities = new WeakMap<Client, LinkIdentity>();
  const rates = new WeakMap<Client, MessageRate>();
  return {
    authenticate(client, username, password, done) {
      const secret = password?.toString('utf8') ?? '';
      if (username === SERVER_USERNAME) {
        if (secret !== options.serverPassword) {
          counters.refusedLogins++;
          return done(refusal('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        }
        identities.set(client, { role: 'server' });
        connections.server.add(client.conn);
        connections.pending.loggedIn(client.conn);
        return done(null, true);
      }
      const machineNo = username ?? '';
      authenticateMachine(store, machineNo, secret).then(
        (ok) => {
          if (!ok) {
            counters.refusedLogins++;
            logger.warn({ machine_no: machineNo.slice(0, 32) }, 'mqtt login refused');
            return done(refusal('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
          }
          // The client id is whatever the firmware sends (identity is the login), but a
          // session held by another login is never taken over by connecting with its id.
          const holder = connectedClient(client.id);
          const held = holder && holder !== client ? identities.get(holder) : undefined;
          if (held && (held.role === 'server' || held.machineNo !== machineNo)) {
            counters.refusedLogins++;
            return done(refusal('client id in use by another machine', IDENTIFIER_REJECTED), false);
          }
          identities.set(client, { role: 'machine', machineNo });
          rates.set(client, new MessageRate(limits.machineMessageBurst, limits.machineMessagesPerSecond));
          connections.pending.loggedIn(client.conn);
          connections.machines.set(machineNo, client);
          done(null, true);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'mqtt login check failed');
          done(refusal('server unavailable', 3), false);
        },
      );
    },
    authorizeSubscribe(client, subscription, done) {
      const identity = identities.get(client);
      if (identity && maySubscribe(identity, subscription.topic)) return done(null, subscription);
      counters.refusedSubscriptions++;
      logger.warn({ client: client.id, topic: subscription.topic.slice(0, 200) }, 'mqtt subscription refused');
      // A null subscription answers SUBACK 0x80 (failure) and keeps the client connected.
      done(null, null);
    },
    authorizePublish(client, packet, done) {
      const identity = client ? identities.get(client) : undefined;
      if (!identity || !mayPublish(identity, packet.topic)) {
        counters.refusedPublications++;
        logger.warn({ client: client?.id, topic: packet.topic.slice(0, 200) }, 'mqtt publication refused');
        return done(new Error('not authorized to publish there'));
      }
      if (identity.role === 'machine' && client) return done(machinePublicationRefusal(options, identity.machineNo, rates.get(client), packet));
      done(null);
    },
  };
}

/** Why a logged-in machine may not publish this packet (it is then disconnected); null when it may. */
function machinePublicationRefusal(options: EmbeddedBrokerOptions, machineNo: string, rate: MessageRate | undefined, packet: { retain: boolean; payload: unknown }): Error | null {
  const { counters, logger } = options;
  // A retained message would be handed to whoever subscribes later: machines have no use for it.
  if (packet.retain) {
    counters.limits.retained++;
    return new Error('machines may not publish retained messages');
  }
  if (!rate?.take()) {
    counters.limits.overRate++;
    logger.warn({ machine_no: machineNo }, 'machine over its message rate; disconnected');
    return new Error('over the message rate');
  }
  // The one place that knows who is really speaking: a machine may only speak for
  // itself, including in its last will. Unparseable bytes pass; the server drops them.
  const message = parseMachineMessage(packet.payload as Buffer);
  if (message && message.clientId !== machineNo) {
    counters.dropped.impersonation++;
    logger.warn({ machine_no: machineNo, claimed: message.clientId.slice(0, 32) }, 'machine message names another machine; refused');
    return new Error('client_id is not the authenticated machine');
  }
  return null;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The connections the limits must tell apart: those still logging in, and the server's own. */
interface ConnectionBook {
  pending: PendingConnections;
  server: WeakSet<object>;
  /** Each logged-in machine's connection, by machine_no (its client id is the firmware's choice). */
  machines: Map<string, Client>;
}

/** Every connection passes here first: the cap on those not logged in, then the packet size guard. */
function admission(options: EmbeddedBrokerOptions, connections: ConnectionBook, handle: (socket: Socket) => void): (socket: Socket) => void {
  const { limits, counters } = options;
  return (socket) => {
    if (!connections.pending.admit(socket)) {
      counters.limits.pendingCap++;
      return;
    }
    guardSocket(
      socket,
      { connectBytes: limits.connectPacketBytes, afterConnect: () => (connections.server.has(socket) ? SERVER_PACKET_BYTES : limits.maxPacketBytes) },
      () => {
        counters.limits.oversized++;
        options.logger.warn({ remote: socket.remoteAddress }, 'mqtt packet over its size limit; connection closed');
      },
    );
    handle(socket);
  };
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const connections: ConnectionBook = { pending: new PendingConnections(options.limits.maxPendingConnections), server: new WeakSet(), machines: new Map() };
  const sessions = new Map<string, Client>();
  const broker = await Aedes.createBroker({ ...accessHooks(options, connections, (clientId) => sessions.get(clientId)), connectTimeout: options.limits.connectTimeoutMs });
  broker.on('client', (client) => sessions.set(client.id, client));
  broker.on('clientDisconnect', (client) => {
    if (sessions.get(client.id) === client) sessions.delete(client.id);
    for (const [machineNo, held] of connections.machines) if (held === client) connections.machines.delete(machineNo);
  });
  // Without TCP_NODELAY a small MQTT packet written while the previous one is unacknowledged
  // waits for the peer's delayed ACK (40 ms on Linux): a vend command or a PUBACK would
  // sit that long on loopback.
  const admit = admission(options, connections, broker.handle);
  const server: Server = createServer({ noDelay: true }, admit);
  // The same broker, limits and access rules behind TLS: the codes and the passwords leave encrypted.
  const tlsServer = options.tls
    ? createTlsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, (socket) => admit(socket.setNoDelay(true) as Socket))
    : undefined;
  const listeners: Array<[Server, number]> = [[server, options.port], ...(tlsServer && options.tls ? [[tlsServer, options.tls.port] as [Server, number]] : [])];
  try {
    for (const [listener, port] of listeners) {
      await listen(listener, port, options.host).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EADDRINUSE' ? new BrokerPortInUseError(port) : error;
      });
    }
  } catch (error) {
    for (const [listener] of listeners) if (listener.listening) listener.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  for (const [listener] of listeners) listener.on('error', (error) => logger.error({ err: error }, 'mqtt listener failed'));
  // A TLS handshake that fails (a plain client, a wrong certificate) is that client's problem only.
  tlsServer?.on('tlsClientError', (error) => logger.debug({ err: error.message }, 'mqtt TLS handshake failed'));
  broker.on('subscribe', (subscriptions, client) => {
    for (const { topic } of subscriptions) {
      const machineNo = client && machineNoOfTopic(topic);
      if (machineNo) options.onMachineListening?.(machineNo);
    }
  });
  broker.on('clientError', (client, error) => logger.debug({ client: client.id, err: error.message }, 'mqtt client error'));

  return {
    host: options.host,
    port: (server.address() as AddressInfo).port,
    tlsPort: tlsServer ? (tlsServer.address() as AddressInfo).port : undefined,
    disconnect(machineNo) {
      const client = connections.machines.get(machineNo);
      if (!client) return false;
      client.close();
      return true;
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const [listener] of listeners) await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
