/**
 * Extension: the life of one pickup code, read back from what its changes wrote: the
 * history rows (who, which request or machine, when), the pushes that carried each change
 * to the machine, and the order that spent it.
 */
import { MACHINE_METHOD } from '../protocol/machine-messages.js';
import { formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as history from '../store/repositories/history.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { PickupOrder } from './pickup-orders.js';
import { Refused } from './refused.js';
import { orderView, pickupCodeView, type Clock } from './views.js';

type HistoryRow = Awaited<ReturnType<typeof history.ofCode>>[number];

export async function pickupCodeHistory(db: Executor, machine: MachineRef, codeId: number, clock: Clock) {
  const code = await codes.findOfMachine(db, machine.id, codeId);
  // Another machine's code answers like a missing one, as cancel does.
  if (!code) throw new Refused({ refused: 'not-found' });
  const events = await history.ofCode(db, codeId);
  const order = code.order_id === null ? undefined : await findOrder(db, code.order_id);
  const wallTime = (at: number) => formatWallTime(at, clock.timeZone);
  return {
    code: pickupCodeView(code, clock),
    events: events.map((event) => ({
      at: wallTime(event.at),
      action: event.action,
      from_status: event.from_status,
      to_status: event.to_status,
      actor: event.actor,
      request_id: event.request_id,
      detail: event.detail,
    })),
    pushes: (await pushesCarrying(db, machine.id, codeId, events)).map((push) => ({
      method: push.method,
      queued_at: wallTime(push.created_at),
      sent_at: push.sent_at === null ? null : wallTime(push.sent_at),
    })),
    order: order && orderView(order, clock.timeZone),
  };
}

interface Push {
  id: number;
  method: string;
  created_at: number;
  sent_at: number | null;
}

/**
 * The outbox rows that told the machine about this code's changes. A change writes its push
 * in its own transaction with its own clock, so the push naming the code sits in the same
 * second (an extended machine may have received it inside a sync; rows from before
 * vendcloud pushed every code one by one point to the first list queued from then). A
 * redemption reported by the machine pushes the code's delete back to it. Sent rows are purged
 * after a day (outbox.ts), so older pushes are gone.
 */
async function pushesCarrying(db: Executor, machineId: number, codeId: number, events: HistoryRow[]): Promise<Push[]> {
  const found = new Map<number, Push>();
  for (const event of events) {
    const sameSecond = await outbox.codePushesAt(db, machineId, event.at, [MACHINE_METHOD.CODE_CREATED, MACHINE_METHOD.CODE_DELETED], codeId);
    const named = sameSecond.filter((row) => namesCode(row.body, codeId));
    const carriers = named.length > 0 ? named : await outbox.firstPushFrom(db, machineId, event.at, MACHINE_METHOD.CODES_SYNC);
    for (const push of carriers) found.set(push.id, { id: push.id, method: push.method, created_at: push.created_at, sent_at: push.sent_at });
  }
  return [...found.values()].sort((a, b) => a.id - b.id);
}

function namesCode(body: string, codeId: number): boolean {
  try {
    return (JSON.parse(body) as { id?: unknown }).id === String(codeId);
  } catch {
    return false;
  }
}

async function findOrder(db: Executor, orderId: number): Promise<PickupOrder | undefined> {
  const found = await orders.findWithRecord(db, orderId);
  if (!found) return undefined;
  const { order, record } = found;
  if (order.pickup_code_id === null) return undefined;
  return {
    orderId: order.id,
    tradeId: order.trade_id,
    amountCents: order.amount_cents,
    createdAt: order.created_at,
    pickupCodeId: order.pickup_code_id,
    record: { id: record.id, productId: record.product_id, quantity: record.quantity, priceCents: record.price_cents, status: record.status },
  };
}
