/** Deliveries (vend commands) and the one-vend-at-a-time lock of each machine. */
import type { DeliveryStatus } from '../../domain/deliveries.js';
import type { Executor } from '../executor.js';
import type { Delivery } from '../schema.js';

export type { Delivery };

export interface NewDelivery {
  merchantId: number;
  machineId: number;
  orderId: number | null;
  recordId: number | null;
  productId: number;
  notifyUrl: string | null;
  createdAt: number;
}

export async function insert(db: Executor, delivery: NewDelivery): Promise<number> {
  const row = await db
    .insertInto('deliveries')
    .values({
      merchant_id: delivery.merchantId,
      machine_id: delivery.machineId,
      order_id: delivery.orderId,
      record_id: delivery.recordId,
      product_id: delivery.productId,
      notify_url: delivery.notifyUrl,
      status: 'IS_DELIVERING',
      created_at: delivery.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Takes the machine's lock for the delivery until `until`, unless another delivery holds it
 * past `now`; false when it does. One upsert is the referee: on PostgreSQL a second instance
 * taking the same machine's lock at the same moment waits for the first one's commit and then
 * finds the lock held (the upsert's WHERE is evaluated against the committed row).
 */
export async function takeLock(db: Executor, machineId: number, deliveryId: number, now: number, until: number): Promise<boolean> {
  const taken = await db
    .insertInto('delivery_locks')
    .values({ machine_id: machineId, delivery_id: deliveryId, locked_until: until })
    .onConflict((conflict) =>
      conflict.column('machine_id').doUpdateSet({ delivery_id: deliveryId, locked_until: until }).where('delivery_locks.locked_until', '<=', now),
    )
    .returning('machine_id')
    .execute();
  return taken.length === 1;
}

/** The delivery's result came: the machine is free at once (if that delivery still holds it). */
export async function releaseLock(db: Executor, machineId: number, deliveryId: number): Promise<void> {
  await db.deleteFrom('delivery_locks').where('machine_id', '=', machineId).where('delivery_id', '=', deliveryId).execute();
}

/** The delivery of that machine and merchant; another's is not found. */
export function findOfMachine(db: Executor, merchantId: number, machineId: number, deliveryId: number): Promise<Delivery | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).where('machine_id', '=', machineId).where('merchant_id', '=', merchantId).executeTakeFirst();
}

/** The delivery a machine names in its result: only its own. */
export function findForMachine(db: Executor, machineId: number, deliveryId: number): Promise<Delivery | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).where('machine_id', '=', machineId).executeTakeFirst();
}

export interface Settled {
  status: DeliveryStatus;
  floorStatus: number;
  failReason: string | null;
  at: number;
}

/**
 * Settles the delivery if it is still `from`; false when something else settled it first
 * (a re-sent result, the timeout sweep of another instance): the conditional UPDATE decides.
 */
export async function settleIf(db: Executor, deliveryId: number, from: DeliveryStatus, settled: Settled): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: settled.status, floor_status: settled.floorStatus, fail_reason: settled.failReason, settled_at: settled.at })
    .where('id', '=', deliveryId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deliveries still waiting for their result that were commanded at or before `commandedBy`, oldest first. */
export function overdue(db: Executor, commandedBy: number, limit: number): Promise<Delivery[]> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'IS_DELIVERING')
    .where('created_at', '<=', commandedBy)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The deliveries of these order records, oldest first: a range of the `deliveries_by_record` index. */
export async function ofRecords(db: Executor, merchantId: number, recordIds: readonly number[]): Promise<Delivery[]> {
  if (recordIds.length === 0) return [];
  return db.selectFrom('deliveries').selectAll().where('record_id', 'in', recordIds).where('merchant_id', '=', merchantId).orderBy('id').execute();
}
