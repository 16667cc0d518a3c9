/**
 * The MQTT broker embedded in the server process (aedes), so one command runs everything.
 * Its hooks are the single place where the link's access rules are enforced: a machine
 * logs in as its machine_no with its MQTT password, reads only its own topic, writes only
 * the server topic, and only messages that name itself.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { Store } from '../store/store.js';
import { authenticateMachine, mayPublish, maySubscribe, SERVER_USERNAME, type LinkIdentity } from './access.js';
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
  /** A machine subscribed to its own topic (a connect or reconnect). */
  onMachineListening?: (machineNo: string) => void;
}

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
  connectedClient: (clientId: string) => Client | undefined,
): Pick<AedesOptions, 'authenticate' | 'authorizeSubscribe' | 'authorizePublish'> {
  const { store, counters, logger } = options;
  const identities = new WeakMap<Client, LinkIdentity>();
  return {
    authenticate(client, username, password, done) {
      const secret = password?.toString('utf8') ?? '';
      if (username === SERVER_USERNAME) {
        if (secret !== options.serverPassword) {
          counters.refusedLogins++;
          return done(refusal('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        }
        identities.set(client, { role: 'server' });
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
      if (identity.role === 'machine') {
        // The one place that knows who is really speaking: a machine may only speak for
        // itself, including in its last will. Unparseable bytes pass; the server drops them.
        const message = parseMachineMessage(packet.payload as Buffer);
        if (message && message.clientId !== identity.machineNo) {
          counters.dropped.impersonation++;
          logger.warn({ machine_no: identity.machineNo, claimed: message.clientId.slice(0, 32) }, 'machine message names another machine; refused');
          return done(new Error('client_id is not the authenticated machine'));
        }
      }
      done(null);
    },
  };
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

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const sessions = new Map<string, Client>();
  const broker = await Aedes.createBroker(accessHooks(options, (clientId) => sessions.get(clientId)));
  broker.on('client', (client) => sessions.set(client.id, client));
  broker.on('clientDisconnect', (client) => sessions.get(client.id) === client && sessions.delete(client.id));
  // Without TCP_NODELAY a small MQTT packet written while the previous one is unacknowledged
  // waits for the peer's delayed ACK (40 ms on Linux): a vend command or a PUBACK would
  // sit that long on loopback.
  const server: Server = createServer({ noDelay: true }, broker.handle);
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new BrokerPortInUseError(options.port);
    throw error;
  }
  server.on('error', (error) => logger.error({ err: error }, 'mqtt listener failed'));
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
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
