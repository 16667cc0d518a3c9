/**
 * Which error code answers each refusal of the rules: the one table from the domain's
 * reasons (src/domain/pickup-codes.ts, src/domain/deliveries.ts) to the Open API's codes (PROTOCOL.md §4).
 */
import { ApiError, ErrorCode, invalidField } from '../protocol/errors.js';
import { Refused, type Refusal } from '../service/refused.js';

/** A refusal about one of several codes names it after the catalogue message. */
function naming(refusal: { codeId?: number }): string | undefined {
  return refusal.codeId === undefined ? undefined : `id ${refusal.codeId}`;
}

export function apiErrorOf(refusal: Refusal): ApiError {
  switch (refusal.refused) {
    case 'not-found':
      return new ApiError(ErrorCode.RECORD_NOT_FOUND, naming(refusal));
    case 'used':
      return new ApiError(ErrorCode.PICKUP_CODE_USED, naming(refusal), refusal.orderId === null ? {} : { order_id: refusal.orderId });
    case 'expired':
      return new ApiError(ErrorCode.PICKUP_CODE_EXPIRED);
    case 'disabled':
      return new ApiError(ErrorCode.PICKUP_CODES_DISABLED);
    case 'not-operating':
      return new ApiError(ErrorCode.MACHINE_NOT_OPERATING);
    case 'out-of-stock':
      return new ApiError(ErrorCode.PRODUCT_OUT_OF_STOCK);
    case 'product-not-found':
      return new ApiError(ErrorCode.PRODUCT_NOT_FOUND);
    case 'off-sale':
      return new ApiError(ErrorCode.PRODUCT_OFF_SALE);
    case 'above-capacity':
      return invalidField('count', `must be at most the product's capacity (${refusal.capacity})`);
    case 'above-live-codes-limit':
      // The same answer as a count above the capacity: the request asked for more than the product may hold.
      return invalidField('count', `must be at most ${refusal.allowed}: the merchant's live-codes limit keeps the product's live codes within its ${refusal.limit} (${refusal.ceiling})`);
    case 'code-space-exhausted':
      return invalidField('code_length', 'is too short for this many codes');
    case 'trade-id-reused':
      return invalidField('trade_id', 'has been used already');
    case 'machine-not-found':
      return new ApiError(ErrorCode.MACHINE_NOT_FOUND);
    case 'no-machine':
      return new ApiError(ErrorCode.NO_MACHINE);
    case 'not-deliverable':
      return new ApiError(ErrorCode.RECORD_NOT_DELIVERABLE);
    case 'offline':
      return new ApiError(ErrorCode.MACHINE_OFFLINE);
    case 'busy':
      return new ApiError(ErrorCode.MACHINE_BUSY);
    case 'bad-inventory':
      return invalidField('inventory', `must be a whole number from 0 to the product's capacity (${refusal.capacity})`);
    case 'no-vend-command':
      return new ApiError(ErrorCode.MACHINE_CANNOT_VEND);
  }
}

/** A thrown refusal as the ApiError that answers it; any other error unchanged. */
export function asApiError(error: unknown): unknown {
  return error instanceof Refused ? apiErrorOf(error.refusal) : error;
}
