/** machine-reports.repository.ts: a report claimed once per machine, code and report id (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as reports from '../../src/store/repositories/machine-reports.repository.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, withStore } from './fleet-fixtures.js';

for (const kind of storeKinds()) {
  describe(`machine reports repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('claim is true the first time a machine names a code and report id, false every time after', () =>
      withStore(kind, async (store) => {
        const merchant = await addMerchant(store, 'one');
        const machine = await addMachine(store, merchant, '10000001');
        const other = await addMachine(store, merchant, '10000002');
        const claim = (machineId: number, codeId: number, reportId: string) => store.write(BY_TEST, ({ trx }) => reports.claim(trx, machineId, codeId, reportId, 40));
        assert.equal(await claim(machine, 7, 'r1'), true);
        assert.equal(await claim(machine, 7, 'r1'), false);
        assert.equal(await claim(machine, 7, 'r2'), true);
        assert.equal(await claim(machine, 8, 'r1'), true);
        assert.equal(await claim(other, 7, 'r1'), true);
        const rows = await store.db.selectFrom('machine_reports').selectAll().orderBy('machine_id').orderBy('pickup_code_id').orderBy('report_id').execute();
        assert.deepEqual(rows, [
          { machine_id: machine, pickup_code_id: 7, report_id: 'r1', received_at: 40 },
          { machine_id: machine, pickup_code_id: 7, report_id: 'r2', received_at: 40 },
          { machine_id: machine, pickup_code_id: 8, report_id: 'r1', received_at: 40 },
          { machine_id: other, pickup_code_id: 7, report_id: 'r1', received_at: 40 },
        ]);
      }));
  });
}
