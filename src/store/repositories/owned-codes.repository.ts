/**
 * Pickup codes reached through the merchant's machine, named by its number, in ONE
 * statement: the hot paths' joins (issue 13). The ownership check, which each request made
 * as a statement of its own before, is part of the statement's condition, so another
 * merchant's machine finds nothing, as `machines.findOwned` would. What they tell apart
 * (no machine, no product) keeps the refusals and their order unchanged.
 */
import { sql, type QueryCreator } from 'kysely';
import type { Change } from '../../domain/pickup-codes.js';
import { locksRows, type Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Database, PickupCode } from '../schema.js';
import { recordChange } from './code-changes.repository.js';
import { cancelledColumns, liveAt, type CancelMark } from './codes.repository.js';
import type { Author } from './history.repository.js';
import * as outbox from './outbox.repository.js';

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

function cancelUnusedOwned(db: QueryCreator<Database>, at: number, by: string, cancelId: string, codeId: number, machineNo: string, merchantId: number) {
  return db
    .updateTable('pickup_codes')
    .set(cancelledColumns({ at, by, cancelId }))
    .where('id', '=', codeId)
    .where('status', '=', 'UNUSED')
    .where('machine_id', '=', (eb) => eb.selectFrom('machines').select('id').where('machine_no', '=', machineNo).where('merchant_id', '=', merchantId))
    .returning('machine_id');
}

const cancelUnusedOwnedCode = preparedQuery(cancelUnusedOwned);

/**
 * On PostgreSQL, the cancel, its history row and its push in ONE statement: the two INSERTs
 * read the UPDATE's RETURNING, so they write nothing when it matched nothing. Three round
 * trips were two thirds of a cancel's time between its savepoint and the batch's COMMIT.
 */
const cancelUnusedOwnedCodeRecorded = preparedQuery(
  (
    db,
    at: number,
    by: string,
    cancelId: string,
    codeId: number,
    machineNo: string,
    merchantId: number,
    action: string,
    from: string | null,
    to: string,
    actor: string,
    requestId: string | null,
    detail: string | null,
    method: string,
    body: string,
  ) =>
    db
      .with('cancelled', (cte) => cancelUnusedOwned(cte, at, by, cancelId, codeId, machineNo, merchantId))
      .with('history', (cte) =>
        cte
          .insertInto('code_history')
          .columns(['pickup_code_id', 'action', 'from_status', 'to_status', 'actor', 'request_id', 'detail', 'at'])
          .expression((eb) =>
            eb
              .selectFrom('cancelled')
              .select([
                sql.val(codeId).as('pickup_code_id'),
                sql.val(action).as('action'),
                sql.val(from).as('from_status'),
                sql.val(to).as('to_status'),
                sql.val(actor).as('actor'),
                sql.val(requestId).as('request_id'),
                sql.val(detail).as('detail'),
                sql.val(at).as('at'),
              ]),
          ),
      )
      .with('push', (cte) =>
        cte
          .insertInto('outbox')
          .columns(['machine_id', 'method', 'body', 'created_at'])
          .expression((eb) => eb.selectFrom('cancelled').select(['cancelled.machine_id', sql.val(method).as('method'), sql.val(body).as('body'), sql.val(at).as('created_at')])),
      )
      .selectFrom('cancelled')
      .select('machine_id'),
);

/** What a cancel that matched writes besides the code: the decision's history row and push, by whom. */
export interface CancelRecord {
  change: Change;
  author: Author;
}

/**
 * Cancels the code if it is an UNUSED code of the merchant's machine, and writes `record`
 * (history and push, stamped with the mark's time); returns the machine's id, or undefined
 * when nothing matched (no such machine, or the code is not UNUSED on it) and nothing was written.
 */
export async function cancelIfUnusedOnOwned(db: Executor, merchantId: number, machineNo: string, codeId: number, mark: CancelMark, record: CancelRecord): Promise<number | undefined> {
  const [entry] = record.change.history;
  const [message] = record.change.messages;
  if (locksRows(db) && record.change.history.length === 1 && record.change.messages.length === 1) {
    const { author } = record;
    const [row] = await cancelUnusedOwnedCodeRecorded(
      db,
      mark.at,
      mark.by,
      mark.cancelId,
      codeId,
      machineNo,
      merchantId,
      entry!.action,
      entry!.from,
      entry!.to,
      author.actor,
      author.requestId,
      entry!.detail ?? null,
      message!.method,
      JSON.stringify(message!.fields),
    );
    if (row) outbox.markQueuing(db);
    return row?.machine_id;
  }
  const machineId = (await cancelUnusedOwnedCode(db, mark.at, mark.by, mark.cancelId, codeId, machineNo, merchantId))[0]?.machine_id;
  if (machineId !== undefined) await recordChange(db, machineId, record.change, record.author, mark.at);
  return machineId;
}
