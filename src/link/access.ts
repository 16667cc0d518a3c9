/**
 * Who may connect to the link and what each may do (MACHINE-LINK.md, "Broker"). The
 * embedded broker's hooks call these; `mosquitto.ts` writes the same rules as a Mosquitto
 * ACL for deployments on an external broker.
 */
import { generateSecret, hashSecret, secretMatches } from '../domain/credentials.js';
import { isMachineNo } from '../domain/fields.js';
import { machineTopic, SERVER_TOPIC } from '../protocol/machine-messages.js';
import * as machines from '../store/repositories/machines.repository.js';
import type { Store } from '../store/store.js';

/** The server's own MQTT user. Not digits, so it can never be a machine_no. */
export const SERVER_USERNAME = 'vendcloud-server';

export type LinkIdentity = { role: 'server' } | { role: 'machine'; machineNo: string };

/** Compared against for unknown machines, so timing does not tell which machines exist. */
const NO_MACHINE_DIGEST = hashSecret(generateSecret());

export async function authenticateMachine(store: Store, machineNo: string, password: string): Promise<boolean> {
  if (!isMachineNo(machineNo)) return false;
  const passwordHash = await machines.passwordHashOf(store.db, machineNo);
  return secretMatches(password, passwordHash ?? NO_MACHINE_DIGEST) && passwordHash !== undefined;
}

export function maySubscribe(identity: LinkIdentity, topic: string): boolean {
  return identity.role === 'server' || topic === machineTopic(identity.machineNo);
}

export function mayPublish(identity: LinkIdentity, topic: string): boolean {
  if (topic.startsWith('$SYS')) return false;
  return identity.role === 'server' || topic === SERVER_TOPIC;
}
