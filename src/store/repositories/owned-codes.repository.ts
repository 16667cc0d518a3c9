/**
 * Pickup codes reached through the merchant's machine, named by its number, in ONE
 * statement: the hot paths' joins (issue 13). The ownership check, which each request made
 * as a statement of its own before, is part of the statement's condition, so another
 * merchant's machine finds nothing, as `machines.findOwned` would. What they tell apart
 * (no machine, no product) keeps the refusals and their order unchanged.
 */
import type { Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { PickupCode } from '../schema.js';
import { cancelledColumns, liveAt, type CancelMark } from './codes.repository.js';

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

const cancelUnusedOwnedCode = preparedQuery((db, at: number, by: string, cancelId: string, codeId: number, machineNo: string, merchantId: number) =>
  db
    .updateTable('pickup_codes')
    .set(cancelledColumns({ at, by, cancelId }))
    .where('id', '=', codeId)
    .where('status', '=', 'UNUSED')
    .where('machine_id', '=', (eb) => eb.selectFrom('machines').select('id').where('machine_no', '=', machineNo).where('merchant_id', '=', merchantId))
    .returning('machine_id'),
);

/**
 * Cancels the code if it is an UNUSED code of the merchant's machine; returns the machine's
 * id, or undefined when nothing matched (no such machine, or the code is not UNUSED on it).
 */
export async function cancelIfUnusedOnOwned(db: Executor, merchantId: number, machineNo: string, codeId: number, mark: CancelMark): Promise<number | undefined> {
  return (await cancelUnusedOwnedCode(db, mark.at, mark.by, mark.cancelId, codeId, machineNo, merchantId))[0]?.machine_id;
}
