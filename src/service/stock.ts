/**
 * Stock and sale state of a machine's products (src/domain/stock.ts decides), changed by the
 * machine (`client.product.put`, `client.product.restock`), the merchant (the console, the Open
 * API extension) and the operator (the CLI), each change with its history row, in the
 * transaction it is given. A refusal is thrown as `Refused`; nothing is half-applied.
 */
import { decideRestock, decideStockSet, type Flag, type StockDecision } from '../domain/stock.js';
import * as stock from '../store/repositories/stock.repository.js';
import type { Work } from '../store/store.js';
import { accepted } from './refused.js';

async function applyDecisions(work: Work, machineId: number, decisions: StockDecision[]): Promise<StockDecision[]> {
  await stock.apply(
    work.trx,
    decisions.map((decision) => ({ ...decision, machineId, actor: work.author.actor, at: work.now })),
  );
  return decisions;
}

/** The product's stock becomes `inventory` (and its sale state `onSale`, when given). */
export async function setStock(work: Work, machineId: number, productId: number, change: { inventory: number; onSale?: Flag | undefined; reason: string }): Promise<StockDecision> {
  const [product] = await stock.statesOnMachine(work.trx, machineId, [productId]);
  const decision = accepted(decideStockSet(product, change.inventory, change.onSale, change.reason));
  await applyDecisions(work, machineId, [decision]);
  return decision;
}

/** Operation 1: on sale and refilled to capacity; 0: off sale. `all`: every product of the machine. */
export async function restockProducts(work: Work, machineId: number, asked: readonly number[] | 'all', operation: Flag): Promise<StockDecision[]> {
  const found = await stock.statesOnMachine(work.trx, machineId, asked === 'all' ? undefined : asked);
  return applyDecisions(work, machineId, accepted(decideRestock(asked, found, operation)));
}
