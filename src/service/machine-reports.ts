/**
 * Reports from machines that the server acknowledges (docs/mqtt.md, "Reports and their
 * acknowledgement"). A machine keeps each report until it is acknowledged and re-sends it
 * after a reconnect or a timeout, so the same report may arrive twice, or many times: the
 * first arrival claims (machine, code, report id) in the transaction of the change, and
 * every later one finds the claim and changes nothing.
 */
import { EVENT_TYPE } from '../domain/callbacks.js';
import { PICKED_UP_RECORD_STATUS } from '../domain/pickup-codes.js';
import { decideRedeem, type ConflictMet, type RedemptionOutcome } from '../domain/redemptions.js';
import type { ReportOutcome } from '../protocol/machine-messages.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as machineReports from '../store/repositories/machine-reports.repository.js';
import * as orders from '../store/repositories/orders.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { PickupCode } from '../store/schema.js';
import type { Tx, Work } from '../store/store.js';
import { queueMerchantEvent } from './callbacks.js';
import { applyChange } from './code-changes.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { recordPickupOrder, type PickupOrder } from './pickup-orders.js';

/** What became of a redemption reported by a machine: the order it made, the conflict it met. */
export interface Redemption {
  outcome: RedemptionOutcome;
  order?: PickupOrder;
  conflict?: { met: ConflictMet; orderId: number | null; productId: number };
}

/** What the link does with a handled report: acknowledge its outcome, count a conflict. */
export interface HandledReport {
  outcome: ReportOutcome;
  conflict?: ConflictMet;
}

/**
 * A machine reports that a customer redeemed a code. Without a report id (machines that
 * predate acknowledgements) the redemption is applied as it always was; it is idempotent on
 * its own (a code already USED stays as it is), but only a report id tells a re-sent report
 * from a second redemption of a code that another path already used.
 */
export async function redeemReportedCode(work: Work, machine: MachineRef, codeId: number, reportId: string | undefined): Promise<HandledReport> {
  const { trx } = work;
  if (reportId !== undefined && !(await machineReports.claim(trx, machine.id, codeId, reportId, work.now))) return { outcome: 'duplicate' };
  const { outcome, order, conflict } = await redeemAtMachine(work, machine, codeId, reportId);
  if (order) {
    await queueMerchantEvent(
      work,
      machine.merchant_id,
      EVENT_TYPE.PICKUP_CODE_USED,
      // record_status IS_PICKED_UP: the item left the machine at the keypad.
      { machine_no: machine.machine_no, pickup_code_id: order.pickupCodeId, product_id: order.record.productId, order_id: order.orderId, record_id: order.record.id, record_status: order.record.status },
      { orderId: order.orderId, recordId: order.record.id },
    );
  }
  if (conflict) {
    await queueMerchantEvent(
      work,
      machine.merchant_id,
      EVENT_TYPE.PICKUP_CODE_CONFLICT,
      { machine_no: machine.machine_no, pickup_code_id: codeId, product_id: conflict.productId, met: conflict.met, order_id: conflict.orderId, report_id: reportId ?? null },
      { orderId: conflict.orderId },
    );
  }
  return conflict ? { outcome, conflict: conflict.met } : { outcome };
}

/**
 * The code becomes USED even if it was cancelled or expired meanwhile (the item left); a
 * conflict is written and pushed as `decideRedeem` says (src/domain/redemptions.ts).
 */
async function redeemAtMachine(work: Work, machine: MachineRef, codeId: number, reportId: string | undefined): Promise<Redemption> {
  const { trx } = work;
  const code = await codes.findOfMachine(trx, machine.id, codeId);
  const decision = decideRedeem(code, work.now, reportId === undefined && code?.status === 'USED' && (await spentAtMachine(trx, machine, code)));
  if (!('history' in decision)) return { outcome: decision.outcome };
  let order: PickupOrder | undefined;
  if (decision.spends) {
    const product = await products.takeOneLeft(trx, code!.product_id);
    if (!(await codes.markUsedFrom(trx, code!.id, code!.status, work.now))) throw new Error(`pickup code ${code!.id} changed while being redeemed`);
    // The machine vended the item as it reported the code: the record is picked up, not waiting.
    order = await recordPickupOrder(work, machine, code!, product.price_cents, null, PICKED_UP_RECORD_STATUS);
  }
  await applyChange(work, machine, decision);
  const conflict = decision.conflict && { met: decision.conflict, orderId: order?.orderId ?? code!.order_id, productId: code!.product_id };
  return { outcome: decision.outcome, ...(order ? { order } : {}), ...(conflict ? { conflict } : {}) };
}

/** Whether the code's order was made by a redemption at the machine (no trade_id), not by a consume through the API. */
async function spentAtMachine(trx: Tx, machine: MachineRef, code: PickupCode): Promise<boolean> {
  if (code.order_id === null) return false;
  const order = await orders.findOfMerchant(trx, machine.merchant_id, code.order_id);
  return order !== undefined && order.trade_id === null;
}
