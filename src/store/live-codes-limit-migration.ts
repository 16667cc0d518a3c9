/**
 * 0012_live_codes_limit (issue 19, docs/security.md): a merchant's optional cap on a product's
 * live codes, `stock`, `capacity` or `off` (the original platform's behaviour, the default).
 * Kept apart from migrations.ts so that parallel branches adding migrations touch one line there.
 */
import type { Kysely, Migration } from 'kysely';

export const liveCodesLimitMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('merchants').addColumn('live_codes_limit', 'text', (c) => c.notNull().defaultTo('off')).execute();
  },
};
