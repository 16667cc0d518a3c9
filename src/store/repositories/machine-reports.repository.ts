/** Machine reports already handled: (machine, code, report id) claimed once. */
import type { Executor } from '../executor.js';

/**
 * Claims the report; false when it was claimed before. Insert first, not look first: on
 * PostgreSQL a second instance claiming the same report at the same moment waits here for
 * the first one's commit, then finds the claim.
 */
export async function claim(db: Executor, machineId: number, codeId: number, reportId: string, now: number): Promise<boolean> {
  const result = await db
    .insertInto('machine_reports')
    .values({ machine_id: machineId, pickup_code_id: codeId, report_id: reportId, received_at: now })
    .onConflict((conflict) => conflict.columns(['machine_id', 'pickup_code_id', 'report_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}
