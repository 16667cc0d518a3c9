/**
 * Reports from machines that the server acknowledges (docs/mqtt.md, "Reports and their
 * acknowledgement"). A machine keeps each report until it is acknowledged and re-sends it
 * after a reconnect or a timeout, so the same report may arrive twice, or many times: the
 * first arrival claims (machine, code, report id) in the transaction of the change, and
 * every later one finds the claim and changes nothing.
 */
import { EVENT_TYPE } from '../domain/callbacks.js';
import type { ReportOutcome } from '../protocol/machine-messages.js';
import * as machineReports from '../store/repositories/machine-reports.repository.js';
import type { Tx } from '../store/store.js';
import type { ChangeContext, MachineRef } from './context.js';
import { queueMerchantEvent } from './callbacks.js';
import { redeemAtMachine } from './pickup-codes.js';

/**
 * A machine reports that a customer redeemed a code. Without a report id (machines that
 * predate acknowledgements) the redemption is applied as it always was; it is idempotent on
 * its own (a code already USED stays as it is), but only a report id tells a re-sent report
 * from a second redemption of a code that another path already used.
 */
export async function redeemReportedCode(
  trx: Tx,
  context: ChangeContext,
  machine: MachineRef,
  codeId: number,
  reportId: string | undefined,
): Promise<ReportOutcome> {
  if (reportId !== undefined && !(await machineReports.claim(trx, machine.id, codeId, reportId, context.now))) return 'duplicate';
  const redemption = await redeemAtMachine(trx, context, machine, codeId);
  if ('order' in redemption) {
    const { order } = redemption;
    await queueMerchantEvent(
      trx,
      context,
      machine.merchant_id,
      EVENT_TYPE.PICKUP_CODE_USED,
      // record_status IS_PICKED_UP: the item left the machine at the keypad.
      { machine_no: machine.machine_no, pickup_code_id: order.pickupCodeId, product_id: order.record.productId, order_id: order.orderId, record_id: order.record.id, record_status: order.record.status },
      { orderId: order.orderId, recordId: order.record.id },
    );
  }
  return redemption.outcome;
}
