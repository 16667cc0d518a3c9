/**
 * The rules of pickup codes, as plain functions over plain data. The operations in
 * src/operations/ apply them inside transactions; nothing here does I/O.
 */
import { randomInt } from 'node:crypto';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import type { CodeStatus } from '../store/schema.js';

import type { VisibleStatus } from '../protocol/code-status.js';

export type { VisibleStatus };

// The wire names live in the protocol module, which the SDK shares.
export { METHOD } from '../protocol/endpoints.js';

export const CODE_LENGTH = { min: 6, max: 10, default: 6 } as const;

/** Where a code stands at `now`; an UNUSED code past its expiry reads as EXPIRED. */
export function visibleStatus(code: { status: CodeStatus; expired_at: number | null }, now: number): VisibleStatus {
  if (code.status === 'UNUSED' && isExpired(code, now)) return 'EXPIRED';
  return code.status;
}

export function isExpired(code: { expired_at: number | null }, now: number): boolean {
  return code.expired_at !== null && code.expired_at <= now;
}

/** `length` decimal digits from a cryptographic source, never starting with 0. */
export function drawCode(length: number): string {
  let code = String(randomInt(1, 10));
  for (let i = 1; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

/**
 * How many codes `.all` creates for a product: enough to bring its live (UNUSED,
 * unexpired) codes up to the items in stock, never more codes than items.
 */
export function codesToTopUp(inventory: number, liveCodes: number): number {
  return Math.max(0, inventory - liveCodes);
}

interface CodeOutcome {
  status: CodeStatus;
  order_id: number | null;
}

/**
 * Why a code that was not UNUSED (or not found) cannot be cancelled. Cancelled codes and
 * codes of other machines read as "not found": a merchant learns nothing about them.
 */
export function cancelRefusal(code: CodeOutcome | undefined): ApiError {
  if (code?.status === 'USED') return usedCodeError(code.order_id);
  return new ApiError(ErrorCode.RECORD_NOT_FOUND);
}

export function usedCodeError(orderId: number | null): ApiError {
  return new ApiError(ErrorCode.PICKUP_CODE_USED, undefined, orderId === null ? {} : { order_id: orderId });
}

/** Whether a code may be consumed through the API at `now`; throws the documented refusal. */
export function assertConsumable(code: (CodeOutcome & { expired_at: number | null }) | undefined, now: number): void {
  if (!code || code.status === 'CANCELLED') throw new ApiError(ErrorCode.RECORD_NOT_FOUND);
  if (code.status === 'USED') throw usedCodeError(code.order_id);
  if (isExpired(code, now)) throw new ApiError(ErrorCode.PICKUP_CODE_EXPIRED);
}

/** Orders created by redeeming a pickup code carry this status, records WAITING_PICKED_UP. */
export const PICKUP_ORDER_STATUS = 'PICKUPCODE';
export const PICKUP_RECORD_STATUS = 'WAITING_PICKED_UP';

/** Above this many codes, cancel-all tells the machine its whole new list in one message. */
export const SYNC_INSTEAD_OF_DELETES_ABOVE = 20;
