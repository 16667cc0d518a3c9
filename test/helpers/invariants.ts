/**
 * What must hold in a store after anything at all happened to the server (a SIGKILL, a lost
 * database connection, a storm): each code's history is one unbroken chain ending in its
 * status, each used code has exactly one order, stock moved once per order, the outbox
 * replayed gives each machine exactly the server's list, and every change a client was told
 * about is there. Returns the violations found (none: an empty list).
 */
import type { Store } from '../../src/store/store.js';

/** Changes a client received a success answer for. */
export interface Acknowledged {
  created: Set<number>;
  cancelled: Set<number>;
  /** code id → order id */
  consumed: Map<number, number>;
}

export function nothingAcknowledged(): Acknowledged {
  return { created: new Set(), cancelled: new Set(), consumed: new Map() };
}

interface CodeRow {
  id: number;
  machine_id: number;
  product_id: number;
  status: string;
  order_id: number | null;
}

function historyViolations(codes: CodeRow[], history: Array<{ pickup_code_id: number; action: string; from_status: string | null; to_status: string }>): string[] {
  const chains = new Map<number, typeof history>();
  for (const row of history) chains.set(row.pickup_code_id, [...(chains.get(row.pickup_code_id) ?? []), row]);
  const violations: string[] = [];
  for (const code of codes) {
    const chain = chains.get(code.id) ?? [];
    let status: string | null = null;
    for (const step of chain) {
      if (step.from_status !== status) violations.push(`code ${code.id}: history step ${step.action} from ${step.from_status}, but the code was ${status}`);
      status = step.to_status;
    }
    if (chain[0]?.action !== 'create') violations.push(`code ${code.id}: history does not start with its creation`);
    if (status !== code.status) violations.push(`code ${code.id} is ${code.status}, its history ends at ${status}`);
  }
  return violations;
}

/** A machine's list, as the outbox tells it: syncs are rebuilt from the store when sent. */
function replayedList(pushes: Array<{ method: string; body: string }>, live: Set<number>): Set<number> {
  const list = new Set<number>();
  for (const push of pushes) {
    const id = Number((JSON.parse(push.body) as { id?: string }).id);
    if (push.method === 'client.pickup_codes.create') list.add(id);
    else if (push.method === 'client.pickup_codes.delete') list.delete(id);
    else if (push.method === 'client.pickup_codes.sync') {
      list.clear();
      for (const code of live) list.add(code);
    }
  }
  return list;
}

export async function invariantViolations(store: Store, options: { initialInventory?: Map<number, number>; acknowledged?: Acknowledged } = {}): Promise<string[]> {
  const db = store.db;
  const codes: CodeRow[] = await db.selectFrom('pickup_codes').select(['id', 'machine_id', 'product_id', 'status', 'order_id']).execute();
  const history = await db.selectFrom('code_history').select(['pickup_code_id', 'action', 'from_status', 'to_status']).orderBy('id').execute();
  const orders = await db.selectFrom('orders').select(['id', 'pickup_code_id']).execute();
  const records = await db.selectFrom('order_records').select(['order_id', 'product_id', 'quantity']).execute();
  const pushes = await db.selectFrom('outbox').select(['machine_id', 'method', 'body']).orderBy('id').execute();
  const violations = historyViolations(codes, history);

  const ordersOfCode = new Map<number, number[]>();
  for (const order of orders) if (order.pickup_code_id !== null) ordersOfCode.set(order.pickup_code_id, [...(ordersOfCode.get(order.pickup_code_id) ?? []), order.id]);
  const recordsOfOrder = new Map<number, number>();
  for (const record of records) recordsOfOrder.set(record.order_id, (recordsOfOrder.get(record.order_id) ?? 0) + 1);
  for (const code of codes) {
    const its = ordersOfCode.get(code.id) ?? [];
    if (code.status === 'USED' && (its.length !== 1 || its[0] !== code.order_id)) violations.push(`used code ${code.id} has orders [${its}], names order ${code.order_id}`);
    if (code.status !== 'USED' && its.length > 0) violations.push(`${code.status} code ${code.id} has orders [${its}]`);
    for (const order of its) if (recordsOfOrder.get(order) !== 1) violations.push(`order ${order} has ${recordsOfOrder.get(order) ?? 0} records`);
  }

  if (options.initialInventory) {
    const products = await db.selectFrom('products').select(['id', 'inventory']).execute();
    const sold = new Map<number, number>();
    for (const record of records) sold.set(record.product_id, (sold.get(record.product_id) ?? 0) + record.quantity);
    for (const product of products) {
      const initial = options.initialInventory.get(product.id);
      if (initial !== undefined && product.inventory + (sold.get(product.id) ?? 0) !== initial) {
        violations.push(`product ${product.id}: inventory ${product.inventory} + sold ${sold.get(product.id) ?? 0} ≠ ${initial}`);
      }
    }
  }

  // A code redeemed at the machine left its list there; the server pushes nothing for it.
  const redeemed = new Set(history.filter((step) => step.action === 'redeem').map((step) => step.pickup_code_id));
  for (const machineId of new Set(codes.map((code) => code.machine_id))) {
    const live = new Set(codes.filter((code) => code.machine_id === machineId && code.status === 'UNUSED').map((code) => code.id));
    const replayed = replayedList(
      pushes.filter((push) => push.machine_id === machineId),
      live,
    );
    for (const id of redeemed) replayed.delete(id);
    const missing = [...live].filter((id) => !replayed.has(id));
    const extra = [...replayed].filter((id) => !live.has(id));
    if (missing.length + extra.length > 0) violations.push(`machine ${machineId}: the outbox leaves it without [${missing.slice(0, 10)}] and with [${extra.slice(0, 10)}]`);
  }

  const acknowledged = options.acknowledged;
  if (acknowledged) {
    const byId = new Map(codes.map((code) => [code.id, code]));
    for (const id of acknowledged.created) if (!byId.has(id)) violations.push(`acknowledged code ${id} is missing`);
    for (const id of acknowledged.cancelled) if (byId.get(id)?.status !== 'CANCELLED') violations.push(`acknowledged cancel of ${id}: the code is ${byId.get(id)?.status}`);
    for (const [id, order] of acknowledged.consumed) {
      const code = byId.get(id);
      if (code?.status !== 'USED' || code.order_id !== order) violations.push(`acknowledged consume of ${id} (order ${order}): the code is ${code?.status}, order ${code?.order_id}`);
    }
  }
  return violations;
}
