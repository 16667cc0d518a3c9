/**
 * Stock and sale state of products (product.put.md, product.restock.md): what a machine's
 * report, a restock or a set does to a product. Stock stays within 0..capacity; a change
 * that would leave it is refused as a whole, never half-applied. Pure: no I/O, no clock.
 */
export type Flag = 0 | 1;

export interface ProductStock {
  id: number;
  capacity: number;
  inventory: number;
  on_sale: Flag;
}

/** A product's new stock and sale state, with why. */
export interface StockDecision {
  productId: number;
  from: { inventory: number; on_sale: Flag };
  to: { inventory: number; on_sale: Flag };
  reason: string;
}

export type StockRefusal = { refused: 'product-not-found' } | { refused: 'bad-inventory'; capacity: number };

function decision(product: ProductStock, to: { inventory: number; on_sale: Flag }, reason: string): StockDecision {
  return { productId: product.id, from: { inventory: product.inventory, on_sale: product.on_sale }, to, reason };
}

/**
 * `client.product.put` (the machine counts its stock; `operation` 1 on sale, 0 off sale, absent
 * unchanged) or an operator's or merchant's set: the stock becomes `inventory`.
 */
export function decideStockSet(product: ProductStock | undefined, inventory: number, onSale: Flag | undefined, reason: string): StockDecision | StockRefusal {
  if (!product) return { refused: 'product-not-found' };
  if (!Number.isInteger(inventory) || inventory < 0 || inventory > product.capacity) return { refused: 'bad-inventory', capacity: product.capacity };
  return decision(product, { inventory, on_sale: onSale ?? product.on_sale }, reason);
}

/**
 * `client.product.restock` and the restocks of merchants and operators: `operation` 1 puts each
 * product on sale refilled to its capacity, 0 takes it off sale (its stock as it is). Every
 * asked product must be of the machine, or nothing changes.
 */
export function decideRestock(asked: readonly number[] | 'all', found: readonly ProductStock[], operation: Flag): StockDecision[] | StockRefusal {
  if (asked !== 'all' && new Set(asked).size !== found.length) return { refused: 'product-not-found' };
  return found.map((product) =>
    operation === 1 ? decision(product, { inventory: product.capacity, on_sale: 1 }, 'restock') : decision(product, { inventory: product.inventory, on_sale: 0 }, 'off sale'),
  );
}
