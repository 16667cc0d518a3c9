/**
 * Messages for machines are written to the outbox in the transaction of the change they
 * announce; the machine link (src/link/) publishes them. Bodies hold only the
 * method-specific fields; the link adds the envelope fields and the signature when sending.
 */
import { preparedQuery } from '../store/prepared.js';
import type { Tx } from '../store/store.js';
import { formatWallTime } from '../protocol/time.js';
import type { PickupCode } from '../store/schema.js';

export const MACHINE_METHOD = {
  CODE_CREATED: 'client.pickup_codes.create',
  CODE_DELETED: 'client.pickup_codes.delete',
  CODES_SYNC: 'client.pickup_codes.sync',
  CODE_REDEEMED: 'client.pickup_codes.put',
  /** Extension: the server committed the report named by `report_id` (docs/mqtt.md). */
  REPORT_ACKNOWLEDGED: 'client.pickup_codes.put.ack',
  PULL: 'client.pickup_codes.pull',
  HEARTBEAT: 'client.heartbeat',
  OFFLINE: 'client.offline',
} as const;

type CodeForMachine = Pick<PickupCode, 'id' | 'product_id' | 'code' | 'quantity' | 'expired_at'>;

/** A code as the machine's list holds it (MACHINE-LINK.md, create and sync). */
export function codeForMachine(code: CodeForMachine, timeZone: string): Record<string, string> {
  return {
    id: String(code.id),
    product_id: String(code.product_id),
    code: code.code,
    quantity: String(code.quantity),
    expired_at: code.expired_at === null ? '0' : String(code.expired_at * 1000),
    expired_day: code.expired_at === null ? '' : formatWallTime(code.expired_at, timeZone),
  };
}

export interface OutboxMessage {
  method: string;
  fields: Record<string, string>;
}

const insertOne = preparedQuery((db, machineId: number, method: string, body: string, now: number) =>
  db.insertInto('outbox').values({ machine_id: machineId, method, body, created_at: now }),
);

export async function enqueueForMachine(trx: Tx, machineId: number, messages: OutboxMessage[], now: number): Promise<void> {
  if (messages.length === 1) {
    await insertOne(trx, machineId, messages[0]!.method, JSON.stringify(messages[0]!.fields), now);
    return;
  }
  for (let start = 0; start < messages.length; start += 500) {
    await trx
      .insertInto('outbox')
      .values(
        messages.slice(start, start + 500).map((message) => ({
          machine_id: machineId,
          method: message.method,
          body: JSON.stringify(message.fields),
          created_at: now,
        })),
      )
      .execute();
  }
}

/** How long a sent push stays in the outbox (for inspection) before the purge deletes it. */
export const SENT_PUSHES_KEPT_SECONDS = 24 * 3600;

/**
 * Deletes pushes sent long ago, so the outbox does not grow with every change forever. Ids
 * are never reused (autoincrement, identity), so sync revisions keep growing regardless.
 */
export async function purgeSentPushes(trx: Tx, now: number): Promise<number> {
  const result = await trx.deleteFrom('outbox').where('sent_at', '<', now - SENT_PUSHES_KEPT_SECONDS).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The machine's list is rebuilt from the database when this message is sent. */
export function syncMessage(): OutboxMessage {
  return { method: MACHINE_METHOD.CODES_SYNC, fields: {} };
}
