/**
 * The server's MQTT session on an external broker. With a client id that stays the same
 * across restarts, the session is persistent (clean start off, MQTT 5 session expiry): the
 * broker keeps the instance's subscription while it is away and queues the QoS 1 machine
 * messages sent meanwhile, and hands them over when the instance connects again.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { IClientOptions } from 'mqtt';
import { DEFAULTS, type ExternalSession } from '../config.js';
import type { LinkLogger } from './logger.js';

/**
 * The client id an instance keeps across restarts: its host and HTTP port, which no other
 * instance shares (two instances with one id would take the session from each other).
 * Undefined for port 0, which changes with every start.
 */
export function stableClientId(httpPort: number, host = hostname()): string | undefined {
  if (httpPort === 0) return undefined;
  return `vendcloud-${host.replace(/[^A-Za-z0-9_.-]/g, '_')}-${httpPort}`;
}

export function externalSession(session: ExternalSession, logger: LinkLogger): IClientOptions {
  if (!session.clientId) {
    logger.warn('no stable MQTT client id: the broker keeps nothing for this instance while it is away');
    return { clientId: `vendcloud-server-${randomBytes(3).toString('hex')}`, clean: true, protocolVersion: 5 };
  }
  return {
    clientId: session.clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: session.sessionExpirySeconds ?? DEFAULTS.mqtt.sessionExpirySeconds },
  };
}
