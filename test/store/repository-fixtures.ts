/**
 * Rows the repository tests start from, written through the store's own `write` by the test
 * (BY_TEST): merchants, their machines and products (fleet-fixtures.ts's rows with these
 * files' defaults), pickup codes in a given state. Each helper returns the new row's id.
 */
import type { Store } from '../../src/store/store.js';
import type { CodeStatus } from '../../src/store/schema.js';
import { BY_TEST } from '../helpers/stores.js';
import { addMachine as insertMachine, addMerchant as insertMerchant, addProduct as insertProduct } from './fleet-fixtures.js';

let merchants = 0;

export function addMerchant(store: Store, name = `m${++merchants}`): Promise<number> {
  return insertMerchant(store, name, { app_secret_hash: 'sha256:x' });
}

export function addMachine(store: Store, merchantId: number, machineNo: string): Promise<number> {
  return insertMachine(store, merchantId, machineNo, { time_zone: 'UTC', mqtt_password_hash: 'x' });
}

export function addProduct(store: Store, machineId: number, fields: { priceCents?: number; inventory?: number } = {}): Promise<number> {
  const price = fields.priceCents ?? 250;
  return insertProduct(store, machineId, 'p', { price_cents: price, original_price_cents: price, channel_name: 'A1', inventory: fields.inventory ?? 5 });
}

export interface CodeFields {
  code?: string;
  status?: CodeStatus;
  expiredAt?: number | null;
  createdAt?: number;
  usedAt?: number | null;
  cancelledAt?: number | null;
  cancelRequestId?: string | null;
}

let digits = 700000;

/** A pickup code of the product on the machine; fresh digits unless given. */
export async function addCode(store: Store, machineId: number, productId: number, fields: CodeFields = {}): Promise<number> {
  const row = await store.write(BY_TEST, ({ trx }) =>
    trx
      .insertInto('pickup_codes')
      .values({
        machine_id: machineId,
        product_id: productId,
        code: fields.code ?? String(++digits),
        status: fields.status ?? 'UNUSED',
        expired_at: fields.expiredAt ?? null,
        created_at: fields.createdAt ?? 1,
        used_at: fields.usedAt ?? null,
        cancelled_at: fields.cancelledAt ?? null,
        cancel_request_id: fields.cancelRequestId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return row.id;
}

/** `count` UNUSED codes of the product in one write, ascending ids. */
export async function addCodes(store: Store, machineId: number, productId: number, count: number, fields: CodeFields = {}): Promise<number[]> {
  const rows = await store.write(BY_TEST, ({ trx }) =>
    trx
      .insertInto('pickup_codes')
      .values(
        Array.from({ length: count }, () => ({
          machine_id: machineId,
          product_id: productId,
          code: String(++digits),
          status: fields.status ?? ('UNUSED' as const),
          expired_at: fields.expiredAt ?? null,
          created_at: fields.createdAt ?? 1,
        })),
      )
      .returning('id')
      .execute(),
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

/** A merchant with two machines, a product on each, and a second product on the first. */
export async function twoMachines(store: Store) {
  const merchant = await addMerchant(store);
  const machine = await addMachine(store, merchant, '10000001');
  const other = await addMachine(store, merchant, '10000002');
  const product = await addProduct(store, machine);
  const otherProduct = await addProduct(store, other);
  const secondProduct = await addProduct(store, machine);
  return { merchant, machine, other, product, otherProduct, secondProduct };
}

/**
 * The codes one bulk cancel ('bulk-1') marked on the first machine, in id order, with what it
 * must not touch in between: a code another cancel marked, and one it marked on the other
 * machine. The cancel's step covers (first, third]; `beyond` lies past it.
 */
export async function markedByOneCancel(store: Store) {
  const { machine, other, product, otherProduct } = await twoMachines(store);
  const marked = { status: 'CANCELLED' as const, cancelRequestId: 'bulk-1' };
  const first = await addCode(store, machine, product, marked);
  const second = await addCode(store, machine, product, marked);
  await addCode(store, machine, product, { status: 'CANCELLED', cancelRequestId: 'bulk-2' });
  await addCode(store, other, otherProduct, marked);
  const third = await addCode(store, machine, product, marked);
  const beyond = await addCode(store, machine, product, marked);
  return { machine, first, second, third, beyond };
}

/** A code's row as it is now. */
export async function codeRow(store: Store, id: number) {
  return store.db.selectFrom('pickup_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
