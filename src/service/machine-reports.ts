/**
 * Reports from machines that the server acknowledges (docs/mqtt.md, "Reports and their
 * acknowledgement"). A machine keeps each report until it is acknowledged and re-sends it
 * after a reconnect or a timeout, so the same report may arrive twice, or many times: the
 * first arrival claims (machine, code, report id) in the transaction of the change, and
 * every later one finds the claim and changes nothing.
 */
import type { ChangeContext, MachineRef } from './context.js';
import { redeemAtMachine, type Redemption } from './pickup-codes.js';
import type { Tx } from '../store/store.js';

/** What a machine chooses as a report id: short, printable, safe to log and echo. */
export const REPORT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** What the acknowledgement tells the machine; `duplicate` for a report handled before. */
export type ReportOutcome = Redemption['outcome'] | 'duplicate';

/**
 * Claims the report. Insert first, not look first: on PostgreSQL a second instance handling
 * the same report at the same moment waits here for the first one's commit, then finds the
 * claim, instead of racing it to the code.
 */
async function claimReport(trx: Tx, machineId: number, codeId: number, reportId: string, now: number): Promise<boolean> {
  const result = await trx
    .insertInto('machine_reports')
    .values({ machine_id: machineId, pickup_code_id: codeId, report_id: reportId, received_at: now })
    .onConflict((conflict) => conflict.columns(['machine_id', 'pickup_code_id', 'report_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

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
  if (reportId !== undefined && !(await claimReport(trx, machine.id, codeId, reportId, context.now))) return 'duplicate';
  return (await redeemAtMachine(trx, context, machine, codeId)).outcome;
}
