/**
 * A product's live codes reached through the merchant's machine, named by its number, in ONE
 * statement (issue 13). The ownership check is part of the statement's condition, so another
 * merchant's machine finds nothing, as `machines.findOwned` would; what it tells apart (no
 * machine, no product) keeps the refusals and their order unchanged.
 */
import type { Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { PickupCode } from '../schema.js';
import { liveAt } from './codes.repository.js';

const liveCodesOfOwnedProduct = preparedQuery((db, productId: number, now: number, machineNo: string, merchantId: number) =>
  db
    .selectFrom('machines as m')
    .leftJoin('products as p', (join) => join.on('p.id', '=', productId).onRef('p.machine_id', '=', 'm.id'))
    // `liveAt`'s columns are the codes' alone: neither machines nor products has a status or an expiry.
    .leftJoin('pickup_codes as c', (join) => join.onRef('c.product_id', '=', 'p.id').on(liveAt(now)))
    .select(['m.id as owned_machine_id', 'p.id as owned_product_id'])
    .selectAll('c')
    .where('m.machine_no', '=', machineNo)
    .where('m.merchant_id', '=', merchantId)
    .orderBy('c.id'),
);

/** What the product query found: no such machine of the merchant, no such product on it, or its live codes. */
export type OwnedProductCodes = 'machine-not-found' | 'product-not-found' | PickupCode[];

/** The live codes (UNUSED, unexpired) of the product on the merchant's machine, ascending id. */
export async function liveOfOwnedProduct(db: Executor, merchantId: number, machineNo: string, productId: number, now: number): Promise<OwnedProductCodes> {
  const rows = await liveCodesOfOwnedProduct(db, productId, now, machineNo, merchantId);
  if (rows.length === 0) return 'machine-not-found';
  if (rows[0]!.owned_product_id === null) return 'product-not-found';
  return rows.filter((row) => row.id !== null) as unknown as PickupCode[];
}
