/**
 * 0008_credentials (issue 19, docs/security.md): what revokes a leaked credential at once and
 * what a merchant may choose to be safer. A merchant may be suspended; a machine disabled;
 * each row says when its credentials last changed (a rotation, a suspension, a disabling),
 * which every running instance polls, so a cached merchant or a machine's live connection is
 * dropped within a second. A merchant's signing secret keys the opt-in HMAC-SHA256 request
 * signature (kept as is, like the webhook secret: the server must compute with it), and
 * `require_signature` refuses its requests without one. Kept apart from migrations.ts so
 * that parallel branches adding migrations touch one line there.
 */
import type { Kysely, Migration } from 'kysely';

export const credentialsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('merchants').addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('merchants').addColumn('signing_secret', 'text').execute();
    await db.schema.alterTable('merchants').addColumn('require_signature', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('merchants').addColumn('credentials_changed_at', 'bigint').execute();
    await db.schema.createIndex('merchants_by_credentials_change').on('merchants').column('credentials_changed_at').execute();
    await db.schema.alterTable('machines').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('machines').addColumn('credentials_changed_at', 'bigint').execute();
    await db.schema.createIndex('machines_by_credentials_change').on('machines').column('credentials_changed_at').execute();
  },
};
