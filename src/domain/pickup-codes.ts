/**
 * The life of a pickup code, as decisions over plain data: each function takes the state it
 * needs (the machine's switches, the code's row, the product) and `now`, and returns what
 * should happen (the history entries and the machine messages) or a refusal naming why not.
 * Nothing here does I/O, throws for a business refusal or reads the clock: the services in
 * src/service/ load the state, apply the decision in one transaction, and turn a refusal into
 * the `Refused` error that HTTP answers with its code and the link with its answer.
 *
 * Expiry is not an event that writes anything: an UNUSED code past `expired_at` reads as
 * EXPIRED (`visibleStatus`), and the store's `liveAt` is the SQL twin of that rule.
 */
import {
  codeCreatedMessage,
  codeDeletedMessage,
  type CodeOnMachine,
  type MachineMessage,
} from '../protocol/machine-messages.js';
import type { VisibleStatus } from '../protocol/code-status.js';
import { liveCodesCeiling, type LiveCodesLimit } from './live-codes-limit.js';

export type CodeStatus = 'UNUSED' | 'USED' | 'CANCELLED';

/** The statuses a merchant sees (their wire names live in the protocol, which the SDK shares). */
export type { VisibleStatus };

// The wire names live in the protocol module, which the SDK shares.
export { METHOD } from '../protocol/endpoints.js';

export const CODE_LENGTH = { min: 6, max: 10, default: 6 } as const;

/** Orders created by redeeming a pickup code carry this status, records WAITING_PICKED_UP. */
export const PICKUP_ORDER_STATUS = 'PICKUPCODE';
export const PICKUP_RECORD_STATUS = 'WAITING_PICKED_UP';
/**
 * The record of a code redeemed at the machine's keypad: the machine vended the item itself,
 * so nothing waits for a delivery (order_get.md's 已取货), and `POST /deliveries` answers 80004.
 */
export const PICKED_UP_RECORD_STATUS = 'IS_PICKED_UP';

/** Why a change is not made; the HTTP layer maps each to its error code. */
export type Refusal =
  /** No such code of this machine, or a cancelled one: a merchant learns nothing about it. */
  | { refused: 'not-found'; codeId?: number }
  | { refused: 'used'; orderId: number | null; codeId?: number }
  | { refused: 'expired' }
  | { refused: 'disabled' }
  | { refused: 'not-operating' }
  | { refused: 'out-of-stock' }
  | { refused: 'product-not-found' }
  | { refused: 'off-sale' }
  | { refused: 'above-capacity'; capacity: number }
  /** The merchant's live-codes limit (domain/live-codes-limit.ts): at most `allowed` more codes of the product. */
  | { refused: 'above-live-codes-limit'; limit: 'stock' | 'capacity'; ceiling: number; allowed: number }
  | { refused: 'code-space-exhausted' }
  | { refused: 'trade-id-reused' }
  | { refused: 'machine-not-found' }
  | { refused: 'no-machine' };

export function isRefusal(decision: object): decision is Refusal {
  return 'refused' in decision;
}

/** One row of a code's history: which transition, and why when it is unusual. */
export interface Transition {
  action: 'create' | 'cancel' | 'consume' | 'redeem' | 'conflict';
  from: CodeStatus | null;
  to: CodeStatus;
  detail?: string;
}

export interface HistoryEntry extends Transition {
  codeId: number;
}

/** What a change writes besides itself: its history and its pushes to the machine. */
export interface Change {
  history: HistoryEntry[];
  messages: MachineMessage[];
}

/** Where a code stands at `now`; an UNUSED code past its expiry reads as EXPIRED. */
export function visibleStatus(code: { status: CodeStatus; expired_at: number | null }, now: number): VisibleStatus {
  if (code.status === 'UNUSED' && isExpired(code, now)) return 'EXPIRED';
  return code.status;
}

export function isExpired(code: { expired_at: number | null }, now: number): boolean {
  return code.expired_at !== null && code.expired_at <= now;
}

/** How many codes of each product to create. */
export interface CreatePlan {
  create: Array<{ productId: number; count: number }>;
}

interface Switches {
  pickup_codes_enabled: number;
  operating: number;
}

/**
 * `pickup_code.product.id`: `count` codes of one product of the machine. Under a merchant's
 * live-codes limit, the product's live codes (`live`) plus `count` may not pass its ceiling.
 */
export function decideCreate(
  machine: Pick<Switches, 'pickup_codes_enabled'>,
  product: { id: number; on_sale: number; capacity: number; inventory: number } | undefined,
  count: number,
  cap: { limit: LiveCodesLimit; live: number } = { limit: 'off', live: 0 },
): CreatePlan | Refusal {
  if (!machine.pickup_codes_enabled) return { refused: 'disabled' };
  if (!product) return { refused: 'product-not-found' };
  if (!product.on_sale) return { refused: 'off-sale' };
  if (count > product.capacity) return { refused: 'above-capacity', capacity: product.capacity };
  const ceiling = liveCodesCeiling(cap.limit, product);
  if (ceiling !== undefined && cap.limit !== 'off' && cap.live + count > ceiling) {
    return { refused: 'above-live-codes-limit', limit: cap.limit, ceiling, allowed: Math.max(0, ceiling - cap.live) };
  }
  return { create: [{ productId: product.id, count }] };
}

/**
 * `pickup_code.product.all`: for each product on sale with stock, enough codes to bring its
 * live (UNUSED, unexpired) codes up to the items in stock, never more codes than items. So it
 * keeps within either live-codes limit by itself (stock is at most the capacity).
 */
export function decideCreateForAll(
  machine: Pick<Switches, 'pickup_codes_enabled'>,
  products: ReadonlyArray<{ id: number; inventory: number }>,
  liveByProduct: ReadonlyMap<number, number>,
): CreatePlan | Refusal {
  if (!machine.pickup_codes_enabled) return { refused: 'disabled' };
  return { create: products.map((product) => ({ productId: product.id, count: Math.max(0, product.inventory - (liveByProduct.get(product.id) ?? 0)) })) };
}

/**
 * The codes were made: their history, and one push per code. What a machine receives for them
 * (each create, or one sync) is the dispatcher's choice, by the machine's link profile.
 */
export function codesCreated(codes: readonly CodeOnMachine[], timeZone: string): Change {
  return {
    history: codes.map((code) => ({ codeId: code.id, action: 'create', from: null, to: 'UNUSED' })),
    messages: codes.map((code) => codeCreatedMessage(code, timeZone)),
  };
}

/** A code as the cancel and consume rules read it. */
export interface CodeState {
  status: CodeStatus;
  order_id: number | null;
}

/**
 * Why a code that is not UNUSED cannot be cancelled. Cancelled codes and codes of other
 * machines (`undefined`) read as "not found". An expired UNUSED code can be cancelled.
 */
function cancelRefusal(code: CodeState | undefined, codeId?: number): Refusal | undefined {
  const named = codeId === undefined ? {} : { codeId };
  if (code?.status === 'USED') return { refused: 'used', orderId: code.order_id, ...named };
  if (code?.status !== 'UNUSED') return { refused: 'not-found', ...named };
  return undefined;
}

const CANCEL: Transition = { action: 'cancel', from: 'UNUSED', to: 'CANCELLED' };

/**
 * `pickup_code.delete.id`. Works whatever the feature switch says and whether the machine is
 * online: a merchant must always be able to revoke a code.
 */
export function decideCancel(codeId: number, code: CodeState | undefined): Change | Refusal {
  return cancelRefusal(code) ?? { history: [{ codeId, ...CANCEL }], messages: [codeDeletedMessage(codeId)] };
}

/**
 * `pickup_code.delete.ids`, all or nothing: every id must be a code of the machine that
 * `delete.id` would cancel; the first that is not names the refusal, and nothing is cancelled.
 * An id given twice is cancelled once.
 */
export function decideCancelMany(ids: readonly number[], codes: ReadonlyMap<number, CodeState>): (Change & { cancel: number[] }) | Refusal {
  const cancel = [...new Set(ids)].sort((a, b) => a - b);
  for (const id of ids) {
    const refusal = cancelRefusal(codes.get(id), id);
    if (refusal) return refusal;
  }
  return { cancel, history: cancel.map((codeId) => ({ codeId, ...CANCEL, detail: 'cancel ids' })), ...cancelledMessages(cancel) };
}

/** A cancel of every UNUSED code in a scope (the machine, or one product), walked by the store. */
export interface BulkCancel {
  transition: Transition;
}

/** `pickup_code.delete.all`: every UNUSED code of the machine, expired ones included. */
export function decideCancelAll(): BulkCancel {
  return { transition: { ...CANCEL, detail: 'cancel all' } };
}

/** `pickup_code.delete.product`: every UNUSED code of one product of the machine, expired ones included. */
export function decideCancelProduct(productOfMachine: boolean): BulkCancel | Refusal {
  if (!productOfMachine) return { refused: 'product-not-found' };
  return { transition: { ...CANCEL, detail: 'cancel product' } };
}

/** The pushes for codes a change removed from the keypad list: one delete per code, in id order. */
export function cancelledMessages(ids: readonly number[]): { messages: MachineMessage[] } {
  return { messages: [...ids].sort((a, b) => a - b).map(codeDeletedMessage) };
}

/** A code as a consume finds it: the live one, else the latest of those digits. */
export interface ConsumableCode extends CodeState {
  id: number;
  expired_at: number | null;
}

/** Whether a code may be consumed at `now`; the documented refusal when not. */
export function consumeRefusal(code: ConsumableCode | undefined, now: number): Refusal | undefined {
  if (!code || code.status === 'CANCELLED') return { refused: 'not-found' };
  if (code.status === 'USED') return { refused: 'used', orderId: code.order_id };
  if (isExpired(code, now)) return { refused: 'expired' };
  return undefined;
}

/** What a repeated consume must match of the order its trade_id made. */
export interface EarlierConsume {
  machineId: number;
  code: string;
  productId: number;
  notifyUrl: string | null;
}

export interface ConsumeAsked {
  machineId: number;
  code: string;
  productId: number;
  notifyUrl: string;
}

/**
 * `event.consume.pickup_code`. A trade_id that made an order already is a retry when it asks
 * for the same (machine, code, product, notify_url), and gets that order again even if the
 * machine stopped operating since; asking for anything else, the trade_id is reused. Stock is
 * taken after this decision, by a conditional UPDATE (`out-of-stock` when none was left).
 */
export function decideConsume(
  machine: Switches,
  code: ConsumableCode | undefined,
  earlier: EarlierConsume | undefined,
  asked: ConsumeAsked,
  now: number,
): { repeat: true } | (Change & { codeId: number }) | Refusal {
  if (earlier) {
    const same = earlier.machineId === asked.machineId && earlier.code === asked.code && earlier.productId === asked.productId && earlier.notifyUrl === asked.notifyUrl;
    return same ? { repeat: true } : { refused: 'trade-id-reused' };
  }
  if (!machine.pickup_codes_enabled) return { refused: 'disabled' };
  if (!machine.operating) return { refused: 'not-operating' };
  const refusal = consumeRefusal(code, now);
  if (refusal) return refusal;
  // The code is spent: the machine drops it from its keypad list.
  return { codeId: code!.id, history: [{ codeId: code!.id, action: 'consume', from: 'UNUSED', to: 'USED' }], messages: [codeDeletedMessage(code!.id)] };
}
