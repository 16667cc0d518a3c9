/**
 * 0011_conflicts: indexes for the retention purge of callbacks (issue 27): attempts by when
 * they started, callbacks by when they finished, so each step of the purge finds the oldest
 * rows without reading the table. Kept apart from migrations.ts so that parallel branches
 * adding migrations touch one line there.
 */
import type { Kysely, Migration } from 'kysely';

export const retentionMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('callback_attempts_by_start').on('callback_attempts').columns(['started_at', 'id']).execute();
    await db.schema.createIndex('callbacks_by_finish').on('callbacks').columns(['finished_at', 'id']).execute();
  },
};
