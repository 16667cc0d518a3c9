/**
 * A machine's report that a customer redeemed a code at its keypad, decided from plain data.
 * The item has physically left the machine, so a code the machine still held is spent
 * whatever happened to it meanwhile. A redemption that met a code already used (through the
 * API while the machine was offline, or at another time), cancelled, or past its expiry is a
 * conflict (issue 27): the item may have left twice, so it is written to the code's history,
 * announced to the merchant, and the machine is told to drop the code (a delete, for the
 * original firmware, which knows no acknowledgement). The machine's report is acknowledged all
 * the same: refusing it would only make the machine send it again forever.
 */
import { codeDeletedMessage } from '../protocol/machine-messages.js';
import { isExpired, type Change, type CodeStatus } from './pickup-codes.js';

/** What became of a redemption reported by a machine (the acknowledgement's `outcome`). */
export type RedemptionOutcome = 'redeemed' | 'redeemed-after-cancel' | 'already-used' | 'unknown-code';

/** The state a conflicting redemption met. */
export type ConflictMet = 'USED' | 'CANCELLED' | 'EXPIRED';

export interface RedeemedCode {
  id: number;
  status: CodeStatus;
  expired_at: number | null;
}

/** A redemption that writes something: its history and pushes, and whether it spends the code now. */
export interface Redeem extends Change {
  outcome: Exclude<RedemptionOutcome, 'unknown-code'>;
  /** The code becomes USED with an order (false when it was spent before: nothing is spent twice). */
  spends: boolean;
  /** What the redemption met when that was not a live code. */
  conflict?: ConflictMet;
}

const CONFLICT_DETAIL: Record<ConflictMet, string> = {
  USED: 'conflict: redeemed at the machine after it was used',
  CANCELLED: 'conflict: redeemed at the machine after it was cancelled',
  EXPIRED: 'conflict: redeemed at the machine after it expired',
};

function conflict(code: RedeemedCode, met: ConflictMet, outcome: Redeem['outcome']): Redeem {
  return {
    outcome,
    spends: met !== 'USED',
    conflict: met,
    history: [{ codeId: code.id, action: 'conflict', from: code.status, to: 'USED', detail: CONFLICT_DETAIL[met] }],
    messages: [codeDeletedMessage(code.id)],
  };
}

/**
 * `client.pickup_codes.put`. `mayBeResent`: the report carries no report id and the code was
 * spent by a redemption at this machine, so it may be that same report sent again (only a
 * report id tells them apart, docs/mqtt.md): it changes nothing, as it always did.
 */
export function decideRedeem(code: RedeemedCode | undefined, now: number, mayBeResent: boolean): Redeem | { outcome: 'already-used' | 'unknown-code' } {
  if (!code) return { outcome: 'unknown-code' };
  if (code.status === 'USED') return mayBeResent ? { outcome: 'already-used' } : conflict(code, 'USED', 'already-used');
  if (code.status === 'CANCELLED') return conflict(code, 'CANCELLED', 'redeemed-after-cancel');
  if (isExpired(code, now)) return conflict(code, 'EXPIRED', 'redeemed');
  // The delete goes back even to the machine that redeemed it: a push queued before the report
  // (a catch-up's create of every live code) may still be on its way and put the code back on
  // the keypad; the delete, queued after it, takes it off again, and is harmless otherwise.
  return { outcome: 'redeemed', spends: true, history: [{ codeId: code.id, action: 'redeem', from: 'UNUSED', to: 'USED' }], messages: [codeDeletedMessage(code.id)] };
}
