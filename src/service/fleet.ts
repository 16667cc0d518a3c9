/**
 * Extension reads of a merchant's fleet that the original list lacks: each machine's link
 * state, switches and number of live codes, and the live codes of each product. They feed
 * the console's machine pages and are Open API endpoints like any other.
 */
import { linkProfileOf } from '../domain/link-profiles.js';
import { formatOptionalWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { Refused } from './refused.js';
import type { Clock } from './views.js';

/** The merchant's machines (or the one numbered `machineNo`), ascending id. */
export async function machinesOverview(db: Executor, merchantId: number, clock: Clock, machineNo?: string) {
  const fleet = await machines.overviewOfMerchant(db, merchantId, machineNo);
  // Same answer for a foreign machine as for a missing one, as everywhere (30003).
  if (machineNo !== undefined && fleet.length === 0) throw new Refused({ refused: 'machine-not-found' });
  if (fleet.length === 0) return [];
  const liveByMachine = await codes.liveCountsByMachine(db, merchantId, clock.now, machineNo !== undefined ? fleet[0]!.id : undefined);
  return fleet.map((machine) => ({
    machine_no: machine.machine_no,
    machine_name: machine.name,
    is_online: machine.is_online === 1,
    status: machine.operating === 1,
    pickup_codes_enabled: machine.pickup_codes_enabled === 1,
    last_seen_at: formatOptionalWallTime(machine.last_seen_at, clock.timeZone),
    live_codes: liveByMachine.get(machine.id) ?? 0,
    // The last heartbeat's network facts, and which messages the machine gets (docs/mqtt.md).
    network_type: machine.network_type,
    network_rssi: machine.network_rssi,
    link_profile: linkProfileOf(machine),
  }));
}

/** Every product of the machine with its number of live codes, ascending product id. */
export async function liveCodeCounts(db: Executor, machine: MachineRef, clock: Clock) {
  const productIds = await products.idsOfMachine(db, machine.id);
  const liveByProduct = await codes.liveCountsByProduct(db, machine.id, clock.now);
  return productIds.map((productId) => ({ product_id: productId, live_codes: liveByProduct.get(productId) ?? 0 }));
}
