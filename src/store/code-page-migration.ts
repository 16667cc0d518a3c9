/**
 * 0014_code_page: the machine's codes by status carry their expiry, so the count on the
 * machine-wide query page ("how many live codes", capped) is read from the index alone
 * instead of from every code's row (issue 23's profile: 124 → 75 µs for 1,000 codes on
 * SQLite). The same index, one column longer: writes keep one entry per code in it.
 */
import type { Kysely, Migration } from 'kysely';

export const codePageMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('pickup_codes_by_machine').execute();
    await db.schema.createIndex('pickup_codes_by_machine').on('pickup_codes').columns(['machine_id', 'status', 'id', 'expired_at']).execute();
  },
};
