/** What the SDK's methods take: the fields of each request, in the SDK's words. */
import type { PickupCodeStatusFilter } from './results.js';

/** A wall time `YYYY-MM-DD HH:mm:ss` in the platform zone, or the instant as a Date. */
export type WallTimeInput = Date | string;

export interface ProductQuery {
  page?: number;
  /** At most 100. */
  perPage?: number;
  /** 0 (default) for every category. */
  categoryId?: number;
  /** Default "A". */
  cabinetName?: string;
  /** Every product on one page. */
  selectAll?: boolean;
}

export interface CodeOptions {
  /** Digits per code, 6–10; default 6. */
  codeLength?: number;
  /** Absent: the codes never expire. Must be in the future. */
  expiredAt?: WallTimeInput;
}

export interface CreateCodesRequest extends CodeOptions {
  productId: number;
  /** How many codes, 1 … the product's capacity; default 1. */
  count?: number;
}

export interface PickupCodeQuery {
  productId?: number;
  /** Default UNUSED (unexpired). */
  status?: PickupCodeStatusFilter;
  /** Only codes starting with these digits. */
  code?: string;
  page?: number;
  /** At most 100. */
  perPage?: number;
  /** The codes after this id: the `nextAfterId` of the page before (keyset paging; leave `page` out). */
  afterId?: number;
}

export interface ConsumeRequest {
  code: string;
  productId: number;
  /** The merchant's order number: 20–32 letters, digits, `_` or `-`, unique per merchant. */
  tradeId: string;
  notifyUrl: string;
}
