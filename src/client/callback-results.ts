/**
 * What the SDK's callback methods return (docs/callbacks.md): an order's
 * callbacks and events with every attempt, read with the rules of results.ts (times become
 * Dates, a missing count 0).
 */
import { clean, list, type WireReader } from './results.js';

export interface CallbackAttempt {
  attempt: number;
  at?: Date;
  /** `delivered` (a 2xx), `retry` (another is due) or `failed` (the last one). */
  outcome: 'delivered' | 'retry' | 'failed';
  /** Absent when there was no answer (refused target, connection failure, timeout). */
  httpStatus?: number;
  latencyMs: number;
  error?: string;
}

export interface OrderCallback {
  id: number;
  /** The `Vendcloud-Event-Id` header of every attempt. */
  eventId: string;
  /** `device.delivery.response` (the order's notify_url) or a merchant event type. */
  type: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  orderId?: number;
  recordId?: number;
  deliveryId?: number;
  queuedAt?: Date;
  nextAttemptAt?: Date;
  finishedAt?: Date;
  attempts: CallbackAttempt[];
}

type Wire = Record<string, any>;

export function readOrderCallback(read: WireReader, w: Wire): OrderCallback {
  return clean({
    id: w.id,
    eventId: w.event_id,
    type: w.type,
    url: w.url,
    state: w.state,
    orderId: w.order_id,
    recordId: w.record_id,
    deliveryId: w.delivery_id,
    queuedAt: read.date(w.queued_at),
    nextAttemptAt: read.date(w.next_attempt_at),
    finishedAt: read.date(w.finished_at),
    attempts: list(w.attempts).map((a: Wire) =>
      clean({ attempt: a.attempt, at: read.date(a.at), outcome: a.outcome, httpStatus: a.http_status, latencyMs: a.latency_ms ?? 0, error: a.error }),
    ),
  });
}
