/**
 * Stock reports of machines (product.put.md, product.restock.md), read from a message's
 * fields. A field out of shape makes the whole report invalid (dropped and counted by the
 * inbox); a product not of the machine or a stock above its capacity is refused by the rules
 * and changes nothing.
 */
import type { Flag } from '../domain/stock.js';
import { MACHINE_METHOD } from '../protocol/machine-messages.js';
import { restockProducts, setStock } from '../service/stock.js';
import type { Work } from '../store/store.js';

export type StockReport =
  | { kind: 'put'; productId: number; inventory: number; onSale: Flag | undefined; lockId: string | undefined }
  | { kind: 'restock'; productIds: number[] | 'all'; operation: Flag };

const ID = /^[1-9][0-9]{0,14}$/;
const COUNT = /^(0|[1-9][0-9]{0,5})$/;
const OPERATION = /^[01]$/;
/** A restock names at most this many products (a machine has far fewer channels). */
const MAX_PRODUCTS = 1000;

/** `product_ids`: a JSON array (as text) of ids, strings or numbers; `[]` is every product of the machine. */
function productIdsOf(text: string | undefined): number[] | 'all' | undefined {
  let list: unknown;
  try {
    list = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(list) || list.length > MAX_PRODUCTS) return undefined;
  if (list.length === 0) return 'all';
  const ids = list.map((item) => (typeof item === 'string' || typeof item === 'number' ? String(item) : ''));
  return ids.every((id) => ID.test(id)) ? [...new Set(ids.map(Number))] : undefined;
}

/** The report in a stock message, or undefined when a field is out of shape. */
export function parseStockReport(method: string, fields: Record<string, string>): StockReport | undefined {
  if (method === MACHINE_METHOD.PRODUCT_PUT) {
    const { product_id: productId = '', current_inventory: inventory = '', operation } = fields;
    // product.put.md: lock_id and operation are left out when not sent (an empty one too).
    if (!ID.test(productId) || !COUNT.test(inventory) || (operation && !OPERATION.test(operation))) return undefined;
    return { kind: 'put', productId: Number(productId), inventory: Number(inventory), onSale: operation ? (Number(operation) as Flag) : undefined, lockId: fields.lock_id || undefined };
  }
  const productIds = productIdsOf(fields.product_ids);
  if (productIds === undefined || !OPERATION.test(fields.operation ?? '')) return undefined;
  return { kind: 'restock', productIds, operation: Number(fields.operation) as Flag };
}

/** Applies the report in the transaction given; throws `Refused` when the rules refuse it. */
export async function applyStockReport(work: Work, machineId: number, report: StockReport): Promise<number> {
  if (report.kind === 'put') {
    await setStock(work, machineId, report.productId, { inventory: report.inventory, onSale: report.onSale, reason: 'product.put' });
    return 1;
  }
  return (await restockProducts(work, machineId, report.productIds, report.operation)).length;
}
