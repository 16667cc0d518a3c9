/**
 * What the operator lists (`vendcloud merchant list`, `machine list`, `product list`): the
 * records behind the answers, readable after the fact, never a secret or a hash.
 */
import { formatCents } from '../domain/money.js';
import { formatOptionalWallTime as wall } from '../protocol/time.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { Executor } from '../store/executor.js';
import { AdminInputError } from './admin.js';

export async function listMerchants(db: Executor, timeZone: string) {
  return (await merchants.listForOperator(db)).map((m) => ({
    merchant_id: m.id,
    name: m.name,
    appid: m.appid,
    verified: m.verified === 1,
    expires_at: wall(m.expires_at, timeZone),
    created_at: wall(m.created_at, timeZone),
    webhook_url: m.webhook_url,
    machines: Number(m.machines ?? 0),
  }));
}

export async function listMachines(db: Executor, timeZone: string, merchantId?: number) {
  return (await machines.listForOperator(db, merchantId)).map((m) => ({
    machine_no: m.machine_no,
    merchant_id: m.merchant_id,
    name: m.name,
    operating: m.operating === 1,
    pickup_codes: m.pickup_codes_enabled === 1,
    online: m.is_online === 1,
    last_seen_at: wall(m.last_seen_at, timeZone),
    time_zone: m.time_zone,
  }));
}

export async function listProducts(db: Executor, machineNo: string) {
  const machine = await machines.findByNumber(db, machineNo);
  if (!machine) throw new AdminInputError(`no machine ${machineNo}`);
  return (await products.listForOperator(db, machine.id)).map((p) => ({
    id: p.id,
    name: p.name,
    price: formatCents(p.price_cents),
    inventory: p.inventory,
    capacity: p.capacity,
    on_sale: p.on_sale === 1,
    cabinet: p.cabinet_name,
    channel: p.channel_name,
  }));
}
