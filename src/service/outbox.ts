/**
 * Housekeeping of the outbox. Messages for machines are written to the outbox in the
 * transaction of the change they announce (their formats: src/protocol/machine-messages.ts);
 * the machine link (src/link/) publishes them and marks them sent.
 */
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Tx } from '../store/store.js';

/** How long a sent push stays in the outbox (for inspection) before the purge deletes it. */
export const SENT_PUSHES_KEPT_SECONDS = 24 * 3600;

/** Deletes pushes sent long ago, so the outbox does not grow with every change forever. */
export function purgeSentPushes(trx: Tx, now: number): Promise<number> {
  return outbox.purgeSent(trx, now - SENT_PUSHES_KEPT_SECONDS);
}
