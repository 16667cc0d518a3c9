/**
 * The rules of a delivery (delivery_put.md, delivery_callback.md): which order record may be
 * vended, how long a vend holds its machine, and what a machine's result (or its silence)
 * does to the delivery, the record and the stock. Plain functions over plain data, like
 * pickup-codes.ts: no I/O, no clock (`now` is an argument), a refusal returned, not thrown.
 */

/** A delivery's status, and the order record's while and after it is delivered (order_get.md). */
export type DeliveryStatus = 'IS_DELIVERING' | 'IS_SUCCESS' | 'IS_FAILED' | 'IS_TIMEOUT';

/** A record that waits for its delivery (the status a consume or a redemption gives it). */
export const WAITING_RECORD_STATUS = 'WAITING_PICKED_UP';

/** Orders whose records may be delivered: paid ones and those a pickup code made. */
export const DELIVERABLE_ORDER_STATUSES: readonly string[] = ['SUCCESS', 'PICKUPCODE'];

/** The channel types of channel.debugging.md's `floor_type`; 0 = not set on the product. */
export const FLOOR_TYPE = { UNSET: 0, MOTOR: 1, LOCK: 2, BELT: 3 } as const;

/**
 * How long a vend holds its machine when no result comes (delivery_put.md's 出货停留时间),
 * seconds: electronic lock 15, motor 30, belt 90, anything else the default 45.
 */
export function stayTimeSeconds(floorType: number): number {
  switch (floorType) {
    case FLOOR_TYPE.LOCK:
      return 15;
    case FLOOR_TYPE.MOTOR:
      return 30;
    case FLOOR_TYPE.BELT:
      return 90;
    default:
      return 45;
  }
}

/** delivery_callback.md's floor_status values vendcloud itself writes. */
export const FLOOR_STATUS = { NO_CHANNEL: 0, OK: 1, JAMMED: 2, MOTOR_FAULT: 3, SERIAL_TIMEOUT: 47 } as const;

/** The fail_reason of a delivery that heard nothing from its machine. */
export const TIMEOUT_REASON = 'no result from the machine in time';

export type DeliveryRefusal =
  /** Unknown order or record, or one of another merchant or machine: nothing to tell apart. */
  | { refused: 'not-found'; codeId?: never }
  | { refused: 'not-deliverable' }
  | { refused: 'offline' }
  | { refused: 'busy' }
  /** The machine's link profile has no vend command (the original firmware). */
  | { refused: 'no-vend-command' };

/** What `device.delivery.put` needs to know of the order, its record and the machine. */
export interface DeliveryAsked {
  order: { machine_id: number; status: string } | undefined;
  record: { order_id: number; status: string } | undefined;
  machine: { id: number; is_online: number };
  orderId: number;
}

/**
 * Whether the record may be vended now. The machine's lock is not decided here: it is taken
 * by a conditional write, the referee between two instances (`busy` when it is held).
 */
export function decideDelivery(asked: DeliveryAsked): { deliver: true } | DeliveryRefusal {
  const { order, record, machine } = asked;
  if (!order || order.machine_id !== machine.id || !record || record.order_id !== asked.orderId) return { refused: 'not-found' };
  if (!DELIVERABLE_ORDER_STATUSES.includes(order.status) || record.status !== WAITING_RECORD_STATUS) return { refused: 'not-deliverable' };
  if (!machine.is_online) return { refused: 'offline' };
  return { deliver: true };
}

/** What a machine reports about a vend. */
export interface VendResult {
  deliverStatus: 0 | 1;
  floorStatus: number;
  errorMsg: string;
}

/** How a settled delivery changes the stock: items count what is in the machine. */
export type StockEffect = 'none' | 'put-back' | 'take-out';

export interface Settlement {
  status: DeliveryStatus;
  failReason: string | null;
  stock: StockEffect;
  /** The notice for the merchant: what the machine said, or the timeout. */
  result: VendResult;
}

/**
 * A machine's result for a delivery. An order's item was taken from stock when its code was
 * spent, so a failed vend puts it back; a test vend (no order) took nothing, so a successful
 * one takes the item out. The code stays USED either way. A result for a delivery settled
 * already changes nothing (a re-sent result), except that the machine's word beats the
 * timer: a success reported after the timeout settles it IS_SUCCESS and takes the item out
 * again (the timeout had put it back).
 */
export function decideResult(delivery: { status: DeliveryStatus; isTest: boolean }, result: VendResult): Settlement | { duplicate: true } {
  const succeeded = result.deliverStatus === 1;
  if (delivery.status === 'IS_TIMEOUT' && succeeded) return { status: 'IS_SUCCESS', failReason: null, stock: 'take-out', result };
  if (delivery.status !== 'IS_DELIVERING') return { duplicate: true };
  if (succeeded) return { status: 'IS_SUCCESS', failReason: null, stock: delivery.isTest ? 'take-out' : 'none', result };
  return { status: 'IS_FAILED', failReason: result.errorMsg || `floor status ${result.floorStatus}`, stock: delivery.isTest ? 'none' : 'put-back', result };
}

/** No result in time: the delivery times out and an order's item goes back into stock. */
export function decideTimeout(delivery: { isTest: boolean }): Settlement {
  return {
    status: 'IS_TIMEOUT',
    failReason: TIMEOUT_REASON,
    stock: delivery.isTest ? 'none' : 'put-back',
    result: { deliverStatus: 0, floorStatus: FLOOR_STATUS.SERIAL_TIMEOUT, errorMsg: TIMEOUT_REASON },
  };
}

/** A channel's number as the machine's board reads it: `code` %100 (channel.debugging.md), from the code or the name's digits. */
export function channelNumber(channel: { channel_code: string; channel_name: string }): number {
  const digits = /^[0-9]+$/.test(channel.channel_code) ? channel.channel_code : (/[0-9]+/.exec(channel.channel_name)?.[0] ?? '0');
  return Number(digits) % 100;
}
