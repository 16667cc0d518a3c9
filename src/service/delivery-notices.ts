/**
 * The entry point of a vend's result into the callback queue (issue 11, parts 5–6): the
 * original's callback to the order's notify_url and the merchant's `delivery.result` event,
 * both queued in the transaction that records the result.
 */
import { deliveryResponseFields, EVENT_TYPE } from '../domain/callbacks.js';
import * as callbacks from '../store/repositories/callbacks.repository.js';
import type { Tx, Work } from '../store/store.js';
import { newEventId, queueMerchantEvent } from './callbacks.js';

export interface DeliveryResultNotice {
  merchantId: number;
  notifyUrl: string | null; // the order's notify_url (or the debug vend's); null: nowhere to call
  orderId: number | null; // null for a debug vend
  recordId: number | null;
  deliveryId: number;
  deliverStatus: 0 | 1;
  floorStatus: number;
  errorMsg: string;
}

export async function queueDeliveryResult(work: Work, notice: DeliveryResultNotice): Promise<void> {
  const { trx } = work;
  const result = { orderId: notice.orderId, recordId: notice.recordId, deliverStatus: notice.deliverStatus, floorStatus: notice.floorStatus, errorMsg: notice.errorMsg };
  const refs = { orderId: notice.orderId, recordId: notice.recordId, deliveryId: notice.deliveryId };
  if (notice.notifyUrl) {
    await callbacks.enqueue(work, {
      merchantId: notice.merchantId,
      kind: 'notify',
      eventId: newEventId(),
      eventType: 'device.delivery.response',
      url: notice.notifyUrl,
      // timestamp and sign are added at each attempt (signedRequest in callback-sending.ts).
      body: JSON.stringify(deliveryResponseFields(result)),
      ...refs,
      now: work.now,
    });
  }
  await queueMerchantEvent(
    work,
    notice.merchantId,
    EVENT_TYPE.DELIVERY_RESULT,
    {
      order_id: notice.orderId,
      record_id: notice.recordId,
      delivery_id: notice.deliveryId,
      deliver_status: notice.deliverStatus,
      floor_status: notice.floorStatus,
      error_msg: notice.errorMsg,
    },
    refs,
  );
}
