/**
 * Which error code answers each refusal of the rules: the one table from the domain's
 * reasons (src/domain/pickup-codes.ts, src/domain/deliveries.ts, src/domain/stock.ts) to the
 * Open API's codes (PROTOCOL.md §4). The reference lists a route's codes from its declared
 * refusals through this table (openapi-document.ts).
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { Refused, type Refusal } from '../service/refused.js';

/** A refusal's name, as a route declares the refusals it may answer (open-api-route.ts). */
export type RefusalReason = Refusal['refused'];

export const REFUSAL_CODES: { readonly [Reason in RefusalReason]: ErrorCode } = {
  'not-found': ErrorCode.RECORD_NOT_FOUND,
  used: ErrorCode.PICKUP_CODE_USED,
  expired: ErrorCode.PICKUP_CODE_EXPIRED,
  disabled: ErrorCode.PICKUP_CODES_DISABLED,
  'not-operating': ErrorCode.MACHINE_NOT_OPERATING,
  'out-of-stock': ErrorCode.PRODUCT_OUT_OF_STOCK,
  'product-not-found': ErrorCode.PRODUCT_NOT_FOUND,
  'off-sale': ErrorCode.PRODUCT_OFF_SALE,
  // A count the product cannot hold is a field the request got wrong: 10001 naming it.
  'above-capacity': ErrorCode.FIELD_INVALID,
  'above-live-codes-limit': ErrorCode.FIELD_INVALID,
  'code-space-exhausted': ErrorCode.FIELD_INVALID,
  'trade-id-reused': ErrorCode.FIELD_INVALID,
  'machine-not-found': ErrorCode.MACHINE_NOT_FOUND,
  'no-machine': ErrorCode.NO_MACHINE,
  'not-deliverable': ErrorCode.RECORD_NOT_DELIVERABLE,
  offline: ErrorCode.MACHINE_OFFLINE,
  busy: ErrorCode.MACHINE_BUSY,
  'bad-inventory': ErrorCode.FIELD_INVALID,
  'no-vend-command': ErrorCode.MACHINE_CANNOT_VEND,
};

/** A refusal about one of several codes names it after the catalogue message. */
function naming(refusal: { codeId?: number }): string | undefined {
  return refusal.codeId === undefined ? undefined : `id ${refusal.codeId}`;
}

/** What follows the catalogue message, and the data, of the refusals that say more than their code. */
function detailOf(refusal: Refusal): { detail?: string | undefined; data?: Record<string, unknown> } {
  switch (refusal.refused) {
    case 'not-found':
      return { detail: naming(refusal) };
    case 'used':
      return { detail: naming(refusal), data: refusal.orderId === null ? {} : { order_id: refusal.orderId } };
    case 'above-capacity':
      return { detail: `count must be at most the product's capacity (${refusal.capacity})` };
    case 'above-live-codes-limit':
      // The same answer as a count above the capacity: the request asked for more than the product may hold.
      return { detail: `count must be at most ${refusal.allowed}: the merchant's live-codes limit keeps the product's live codes within its ${refusal.limit} (${refusal.ceiling})` };
    case 'code-space-exhausted':
      return { detail: 'code_length is too short for this many codes' };
    case 'trade-id-reused':
      return { detail: 'trade_id has been used already' };
    case 'bad-inventory':
      return { detail: `inventory must be a whole number from 0 to the product's capacity (${refusal.capacity})` };
    default:
      return {};
  }
}

export function apiErrorOf(refusal: Refusal): ApiError {
  const { detail, data } = detailOf(refusal);
  return new ApiError(REFUSAL_CODES[refusal.refused], detail, data);
}

/** A thrown refusal as the ApiError that answers it; any other error unchanged. */
export function asApiError(error: unknown): unknown {
  return error instanceof Refused ? apiErrorOf(error.refusal) : error;
}
