/**
 * Extension reads of a merchant's fleet that the original list lacks: each machine's link
 * state, switches and number of live codes, and the live codes of each product. They feed
 * the console's machine pages and are Open API endpoints like any other.
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { formatWallTime } from '../protocol/time.js';
import type { MachineRef } from './context.js';
import { liveAt, type ReadDb } from './pickup-codes.js';
import type { Clock } from './views.js';

/** The merchant's machines (or the one numbered `machineNo`), ascending id. */
export async function machinesOverview(db: ReadDb, merchantId: number, clock: Clock, machineNo?: string) {
  let query = db
    .selectFrom('machines')
    .select(['id', 'machine_no', 'name', 'is_online', 'operating', 'pickup_codes_enabled', 'last_seen_at'])
    .where('merchant_id', '=', merchantId);
  if (machineNo !== undefined) query = query.where('machine_no', '=', machineNo);
  const machines = await query.orderBy('id').execute();
  // Same answer for a foreign machine as for a missing one, as everywhere (30003).
  if (machineNo !== undefined && machines.length === 0) throw new ApiError(ErrorCode.MACHINE_NOT_FOUND);
  if (machines.length === 0) return [];
  const counts = await db
    .selectFrom('pickup_codes')
    .select(['machine_id', (eb) => eb.fn.countAll<number>().as('live')])
    .where('machine_id', 'in', machineNo !== undefined ? [machines[0]!.id] : (eb) => eb.selectFrom('machines').select('id').where('merchant_id', '=', merchantId))
    .where(liveAt(clock.now))
    .groupBy('machine_id')
    .execute();
  const liveByMachine = new Map(counts.map((row) => [row.machine_id, Number(row.live)]));
  return machines.map((machine) => ({
    machine_no: machine.machine_no,
    machine_name: machine.name,
    is_online: machine.is_online === 1,
    status: machine.operating === 1,
    pickup_codes_enabled: machine.pickup_codes_enabled === 1,
    last_seen_at: machine.last_seen_at === null ? null : formatWallTime(machine.last_seen_at, clock.timeZone),
    live_codes: liveByMachine.get(machine.id) ?? 0,
  }));
}

/** Every product of the machine with its number of live codes, ascending product id. */
export async function liveCodeCounts(db: ReadDb, machine: MachineRef, clock: Clock) {
  const products = await db.selectFrom('products').select('id').where('machine_id', '=', machine.id).orderBy('id').execute();
  const counts = await db
    .selectFrom('pickup_codes')
    .select(['product_id', (eb) => eb.fn.countAll<number>().as('live')])
    .where('machine_id', '=', machine.id)
    .where(liveAt(clock.now))
    .groupBy('product_id')
    .execute();
  const liveByProduct = new Map(counts.map((row) => [row.product_id, Number(row.live)]));
  return products.map((product) => ({ product_id: product.id, live_codes: liveByProduct.get(product.id) ?? 0 }));
}
