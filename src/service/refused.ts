/**
 * The one error a use case throws when the rules refuse it: it carries the domain's refusal
 * as data. HTTP answers it with the error code of its table (src/http/refusals.ts); the
 * machine link never meets it (a machine's report is answered with its outcome instead).
 */
import type { DeliveryRefusal } from '../domain/deliveries.js';
import { isRefusal, type Refusal as CodeRefusal } from '../domain/pickup-codes.js';
import type { StockRefusal } from '../domain/stock.js';

/** Every refusal of the rules: a code's life, a delivery's, a product's stock. */
export type Refusal = CodeRefusal | DeliveryRefusal | StockRefusal;

export class Refused extends Error {
  override name = 'Refused';

  constructor(readonly refusal: Refusal) {
    super(`refused: ${refusal.refused}`);
  }
}

/** Throws a refusal, passes anything else through: `const plan = accepted(decideCreate(...))`. */
export function accepted<T extends object>(decision: T | Refusal): T {
  if (isRefusal(decision)) throw new Refused(decision as Refusal);
  return decision as T;
}
