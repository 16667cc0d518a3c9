/**
 * Migration 0007 (issue 18): each machine's link profile. `link_mode` is the operator's
 * choice (`auto`, `original`, `extended`); `link_extended` records that the machine itself
 * said it speaks vendcloud's extensions (docs/mqtt.md, "Link profiles"). Under `auto` a
 * machine is original until it says so, because the machines in the field run the original
 * firmware. The network facts of the last heartbeat already have columns (0001).
 */
import type { Kysely, Migration } from 'kysely';

export const linkProfilesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('machines').addColumn('link_mode', 'text', (c) => c.notNull().defaultTo('auto')).execute();
    await db.schema.alterTable('machines').addColumn('link_extended', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
