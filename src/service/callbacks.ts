/**
 * Callbacks and merchant events (docs/callbacks.md): queued in the transaction of the change
 * they announce, so a committed change always has its callback and a rolled-back one never
 * does; sent by src/callbacks; listed and re-sent by the merchant (Open API) and the operator (CLI).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eventEnvelope, type EventType } from '../domain/callbacks.js';
import { formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as callbacks from '../store/repositories/callbacks.repository.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import type { Tx, Work } from '../store/store.js';
import { Refused } from './refused.js';

/** A fresh `Vendcloud-Event-Id`. */
export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

/** A new webhook secret: 32 random bytes, base64url, prefixed so that it is recognisable in a leak scan. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** What an event is about, for listing it with its order. */
export interface EventRefs {
  orderId?: number | null;
  recordId?: number | null;
  deliveryId?: number | null;
}

/** Queues an event for the merchant's webhook; nothing when the merchant has none. */
export async function queueMerchantEvent(work: Work, merchantId: number, type: EventType, data: Record<string, unknown>, refs: EventRefs = {}): Promise<void> {
  const { trx } = work;
  const webhook = await merchants.webhookOf(trx, merchantId);
  if (!webhook?.webhook_url) return;
  const eventId = newEventId();
  await callbacks.enqueue(work, {
    merchantId,
    kind: 'event',
    eventId,
    eventType: type,
    url: webhook.webhook_url,
    body: JSON.stringify(eventEnvelope(eventId, type, work.now, data)),
    orderId: refs.orderId ?? null,
    recordId: refs.recordId ?? null,
    deliveryId: refs.deliveryId ?? null,
    now: work.now,
  });
}

/** Rows one step of the retention purge deletes at most: a short transaction, so no request waits long behind it. */
export const PURGE_STEP = 500;

/**
 * One step of the retention purge (docs/deployment.md, "How long records are kept"): the
 * oldest attempts started before `before`, and once none is left, the merchant events that
 * finished before it. The number of rows deleted; 0 when nothing is left to purge.
 */
export async function purgeOldCallbacksStep(trx: Tx, before: number): Promise<number> {
  const attempts = await callbacks.purgeAttemptsBefore(trx, before, PURGE_STEP);
  return attempts > 0 ? attempts : callbacks.purgeFinishedEventsBefore(trx, before, PURGE_STEP);
}

/** One callback and its attempts as the merchant and the operator read them. */
export function callbackView(callback: callbacks.Callback, attempts: callbacks.CallbackAttempt[], timeZone: string) {
  const at = (seconds: number | null) => (seconds === null ? undefined : formatWallTime(seconds, timeZone));
  return {
    id: callback.id,
    event_id: callback.event_id,
    type: callback.event_type,
    url: callback.url,
    state: callback.state,
    order_id: callback.order_id ?? undefined,
    record_id: callback.record_id ?? undefined,
    delivery_id: callback.delivery_id ?? undefined,
    queued_at: at(callback.created_at),
    next_attempt_at: callback.state === 'pending' ? at(callback.next_attempt_at) : undefined,
    finished_at: at(callback.finished_at),
    attempts: attempts
      .filter((attempt) => attempt.callback_id === callback.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        at: at(attempt.started_at),
        outcome: attempt.outcome,
        http_status: attempt.http_status ?? undefined,
        latency_ms: attempt.latency_ms,
        error: attempt.error ?? undefined,
      })),
  };
}

export type CallbackView = ReturnType<typeof callbackView>;

/** The callbacks of an order with every attempt; with a merchant, only that merchant's (another's order reads as none). */
export async function callbacksOfOrder(db: Executor, orderId: number, timeZone: string, merchantId?: number): Promise<CallbackView[]> {
  const found = await callbacks.ofOrder(db, orderId, merchantId);
  const attempts = await callbacks.attemptsOf(db, found.map((callback) => callback.id));
  return found.map((callback) => callbackView(callback, attempts, timeZone));
}

/** The merchant's view of its order's callbacks (Open API extension); another merchant's or an unknown order is not found (80002). */
export async function merchantCallbacksOfOrder(db: Executor, merchantId: number, orderId: number, timeZone: string): Promise<CallbackView[]> {
  if (!(await orders.findOfMerchant(db, merchantId, orderId))) throw new Refused({ refused: 'not-found' });
  return callbacksOfOrder(db, orderId, timeZone, merchantId);
}

/** Sends a callback again now, on a fresh schedule. Another merchant's callback is not found (80002). */
export async function resendCallback(work: Work, callbackId: number, merchantId?: number): Promise<void> {
  if (!(await callbacks.requeue(work, callbackId, work.now, merchantId))) throw new Refused({ refused: 'not-found' });
}
