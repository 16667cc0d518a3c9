/**
 * 0010_callback_sign_form: the form each merchant's callbacks are signed in (docs/callbacks.md,
 * "Which form a callback's sign is in"): the operator's setting
 * (`auto` by default) and the form of the merchant's latest signed request, which `auto`
 * follows. Kept apart from migrations.ts so that parallel branches adding migrations touch
 * one line there.
 */
import type { Kysely, Migration } from 'kysely';

export const callbackSignFormMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('merchants').addColumn('callback_sign_form', 'text', (c) => c.notNull().defaultTo('auto')).execute();
    await db.schema.alterTable('merchants').addColumn('request_sign_form', 'text').execute();
  },
};
