/**
 * Where a delivery's result leaves for the merchant (issue 11, part 5). Called in the
 * transaction that commits the result (success, failure, timeout, a test vend's result), so
 * a notice is queued exactly when the result is.
 */
import type { Tx } from '../store/store.js';
import type { ChangeContext } from './context.js';

export interface DeliveryResultNotice {
  merchantId: number;
  /** The order's notify_url (or the debug vend's); null when there is nowhere to call. */
  notifyUrl: string | null;
  orderId: number | null; // null for a debug vend
  recordId: number | null; // null for a debug vend
  deliveryId: number;
  deliverStatus: 0 | 1;
  floorStatus: number;
  errorMsg: string;
}

export async function queueDeliveryResult(trx: Tx, context: ChangeContext, notice: DeliveryResultNotice): Promise<void> {
  // Nothing yet: the callbacks branch fills this in with its durable, signed, retried queue.
  void trx;
  void context;
  void notice;
}
