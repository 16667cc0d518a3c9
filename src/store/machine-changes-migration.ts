/**
 * 0015_machine_changes (issue 23): each machine says when the operator last changed it
 * (`machines.update`), which every running instance polls, so a machine's cached MachineRef
 * (service/machine-directory.ts) is dropped within a second: a machine whose pickup codes
 * are turned off or that stops operating is refused everywhere, as a suspended merchant is.
 * Presence (online, last seen) changes every few seconds and is not stamped.
 */
import type { Kysely, Migration } from 'kysely';

export const machineChangesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('machines').addColumn('changed_at', 'bigint').execute();
    await db.schema.createIndex('machines_by_change').on('machines').column('changed_at').execute();
  },
};
