/**
 * Extension: the life of one pickup code, read back from what its changes wrote: the
 * history rows (who, which request or machine, when), the pushes that carried each change
 * to the machine, and the order that spent it.
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { formatWallTime } from '../protocol/time.js';
import type { CodeHistoryTable } from '../store/schema.js';
import type { Selectable } from 'kysely';
import type { MachineRef } from './context.js';
import { MACHINE_METHOD } from './outbox.js';
import type { PickupOrder, ReadDb } from './pickup-codes.js';
import { orderView, pickupCodeView, type Clock } from './views.js';

type HistoryRow = Selectable<CodeHistoryTable>;

export async function pickupCodeHistory(db: ReadDb, machine: MachineRef, codeId: number, clock: Clock) {
  const code = await db.selectFrom('pickup_codes').selectAll().where('id', '=', codeId).where('machine_id', '=', machine.id).executeTakeFirst();
  // Another machine's code answers like a missing one, as cancel does.
  if (!code) throw new ApiError(ErrorCode.RECORD_NOT_FOUND);
  const events = await db.selectFrom('code_history').selectAll().where('pickup_code_id', '=', codeId).orderBy('id').execute();
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
 * second; a bulk change (more than the per-code threshold) sends the whole list instead, so
 * the first list queued from that second on carries it. Changes reported by the machine
 * itself push nothing. Sent rows are purged after a day (outbox.ts), so older pushes are gone.
 */
async function pushesCarrying(db: ReadDb, machineId: number, codeId: number, events: HistoryRow[]): Promise<Push[]> {
  const found = new Map<number, Push>();
  for (const event of events) {
    if (event.actor.startsWith('machine:')) continue;
    const sameSecond = await db
      .selectFrom('outbox')
      .select(['id', 'method', 'body', 'created_at', 'sent_at'])
      .where('machine_id', '=', machineId)
      .where('created_at', '=', event.at)
      .where('method', 'in', [MACHINE_METHOD.CODE_CREATED, MACHINE_METHOD.CODE_DELETED])
      .orderBy('id')
      .execute();
    const named = sameSecond.filter((row) => namesCode(row.body, codeId));
    const carriers = named.length > 0 ? named : await firstListFrom(db, machineId, event.at);
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

function firstListFrom(db: ReadDb, machineId: number, at: number): Promise<Push[]> {
  return db
    .selectFrom('outbox')
    .select(['id', 'method', 'created_at', 'sent_at'])
    .where('machine_id', '=', machineId)
    .where('created_at', '>=', at)
    .where('method', '=', MACHINE_METHOD.CODES_SYNC)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .execute();
}

async function findOrder(db: ReadDb, orderId: number): Promise<PickupOrder | undefined> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  const record = await db.selectFrom('order_records').selectAll().where('order_id', '=', orderId).orderBy('id').executeTakeFirst();
  if (!order || !record || order.pickup_code_id === null) return undefined;
  return {
    orderId: order.id,
    tradeId: order.trade_id,
    amountCents: order.amount_cents,
    createdAt: order.created_at,
    pickupCodeId: order.pickup_code_id,
    record: { id: record.id, productId: record.product_id, quantity: record.quantity, priceCents: record.price_cents, status: record.status },
  };
}
