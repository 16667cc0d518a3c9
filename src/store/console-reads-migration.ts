/**
 * 0013_console_reads: indexes for the console's lifecycle pages (docs/console.md): a
 * machine's orders by when they were made (one day's orders), and a merchant's callbacks
 * newest first (its webhook page), so neither read walks the whole table. Kept apart from
 * migrations.ts so that parallel branches adding migrations touch one line there.
 */
import type { Kysely, Migration } from 'kysely';

export const consoleReadsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('orders_by_machine').on('orders').columns(['machine_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('callbacks_by_merchant').on('callbacks').columns(['merchant_id', 'id']).execute();
  },
};
