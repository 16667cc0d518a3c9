/**
 * A merchant's optional cap on a product's live (UNUSED, unexpired) codes (docs/security.md,
 * "Code guessing: the arithmetic"): fewer live codes on a machine means fewer right answers
 * for a guesser. `off` is the original platform's behaviour and the default; `stock` lets a
 * product have no more live codes than items in stock, `capacity` no more than its channel holds.
 */
export const LIVE_CODES_LIMITS = ['stock', 'capacity', 'off'] as const;
export type LiveCodesLimit = (typeof LIVE_CODES_LIMITS)[number];

export function isLiveCodesLimit(value: string): value is LiveCodesLimit {
  return (LIVE_CODES_LIMITS as readonly string[]).includes(value);
}

/** What a product may hold under the limit: its live codes after the create must not exceed it. */
export function liveCodesCeiling(limit: LiveCodesLimit, product: { inventory: number; capacity: number }): number | undefined {
  if (limit === 'stock') return product.inventory;
  if (limit === 'capacity') return product.capacity;
  return undefined;
}
