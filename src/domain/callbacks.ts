/**
 * The rules of callbacks and merchant webhooks (docs/callbacks.md), pure: what each one
 * carries and when a failed one is tried again. The queue (store), the sender
 * (src/callbacks) and the services apply them.
 */

import { SIGNING_FORMS, type SigningForm } from '../protocol/signature.js';

/** Seconds to wait after the 1st, 2nd, ... failed attempt; the last delay repeats. */
export const RETRY_DELAYS_SECONDS = [15, 60, 300, 1800, 7200, 21600] as const;
/** No attempt starts later than this after the callback was queued: then it has failed for good. */
export const GIVE_UP_AFTER_SECONDS = 24 * 3600;

/**
 * When the next attempt is due after `failedAttempts` attempts failed (the last one at `now`),
 * or undefined when the schedule is over.
 */
export function nextAttemptAt(queuedAt: number, failedAttempts: number, now: number): number | undefined {
  const delay = RETRY_DELAYS_SECONDS[Math.min(failedAttempts, RETRY_DELAYS_SECONDS.length) - 1]!;
  const next = now + delay;
  return next > queuedAt + GIVE_UP_AFTER_SECONDS ? undefined : next;
}

/** A callback's state: waiting for an attempt, delivered (a 2xx), or given up on. */
export type CallbackState = 'pending' | 'delivered' | 'failed';

/** What a callback is: the order's notify_url (the original's body), or an event for the merchant's webhook. */
export type CallbackKind = 'notify' | 'event';

export const EVENT_TYPE = {
  PICKUP_CODE_USED: 'pickup_code.used',
  PICKUP_CODE_CONFLICT: 'pickup_code.conflict',
  DELIVERY_RESULT: 'delivery.result',
  MACHINE_ONLINE: 'machine.online',
  MACHINE_OFFLINE: 'machine.offline',
  /** A machine took more wrong pickup codes than its limit (docs/security.md, "Code guessing"). */
  MACHINE_CODE_GUESSING: 'machine.code_guessing',
  /** A machine's keypad locked after wrong codes in a row (extension `client.keypad.locked`; docs/security.md). */
  MACHINE_KEYPAD_LOCKED: 'machine.keypad_locked',
} as const;
export type EventType = (typeof EVENT_TYPE)[keyof typeof EVENT_TYPE];

/** The `method` of the original's delivery callback (delivery_callback.md). */
export const DELIVERY_RESPONSE_METHOD = 'device.delivery.response';

export interface DeliveryResult {
  orderId: number | null;
  recordId: number | null;
  deliverStatus: 0 | 1;
  floorStatus: number;
  errorMsg: string;
}

/**
 * The original's body (delivery_callback.md): ids as numbers, statuses as text as in its
 * example. A debug vend has no order: its ids are left out. `timestamp` and `sign` are added
 * at each attempt.
 */
export function deliveryResponseFields(result: DeliveryResult): Record<string, string | number> {
  return {
    method: DELIVERY_RESPONSE_METHOD,
    ...(result.orderId !== null ? { order_id: result.orderId } : {}),
    ...(result.recordId !== null ? { record_id: result.recordId } : {}),
    deliver_status: String(result.deliverStatus),
    floor_status: String(result.floorStatus),
    error_msg: result.errorMsg,
  };
}

/** A merchant event as its webhook receives it. */
export interface EventEnvelope {
  id: string;
  type: EventType;
  /** Unix seconds when it happened. */
  created_at: number;
  data: Record<string, unknown>;
}

export function eventEnvelope(id: string, type: EventType, createdAt: number, data: Record<string, unknown>): EventEnvelope {
  return { id, type, created_at: createdAt, data };
}

/**
 * The forms a merchant's callbacks may be signed in (`vendcloud merchant set
 * --callback-sign-form`): one of the signing forms, or `auto`, the default.
 */
export const CALLBACK_SIGN_FORMS = ['auto', ...SIGNING_FORMS] as const;
export type CallbackSignForm = (typeof CALLBACK_SIGN_FORMS)[number];

export function isCallbackSignForm(text: string): text is CallbackSignForm {
  return (CALLBACK_SIGN_FORMS as readonly string[]).includes(text);
}

/**
 * The form a merchant's callback is signed in: the one set for it, or under `auto` the form
 * of its latest signed request, since that is the form its own library computes and so the
 * one its CheckSignature compares with; `raw` (the docs') until it has sent one.
 */
export function callbackSigningForm(setting: CallbackSignForm, latestRequestForm: SigningForm | null): SigningForm {
  return setting === 'auto' ? (latestRequestForm ?? 'raw') : setting;
}
