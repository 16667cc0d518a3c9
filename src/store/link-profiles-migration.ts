/**
 * Migration 0007 (issue 18), the machines on the original firmware. Each machine's link
 * profile: `link_mode` is the operator's choice (`auto`, `original`, `extended`);
 * `link_extended` records that the machine itself said it speaks vendcloud's extensions
 * (docs/mqtt.md, "Link profiles"). Under `auto` a machine is original until it says so, because
 * the machines in the field run the original firmware. The network facts of the last heartbeat
 * already have columns (0001). And the history of each product's stock and sale state, which
 * machines (`client.product.put`, `client.product.restock`), merchants and operators change.
 * Kept apart from migrations.ts so that parallel branches touch one line there.
 */
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

/** Adds the dialect's identity column (migrations.ts `withId`). */
type WithId = (table: CreateTableBuilder<string, never>) => CreateTableBuilder<string, 'id'>;

export function linkProfilesMigration(withId: WithId): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('machines').addColumn('link_mode', 'text', (c) => c.notNull().defaultTo('auto')).execute();
      await db.schema.alterTable('machines').addColumn('link_extended', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await withId(db.schema.createTable('stock_changes'))
        .addColumn('product_id', 'bigint', (c) => c.notNull().references('products.id'))
        .addColumn('machine_id', 'bigint', (c) => c.notNull())
        .addColumn('inventory_from', 'integer', (c) => c.notNull())
        .addColumn('inventory_to', 'integer', (c) => c.notNull())
        .addColumn('on_sale_from', 'integer', (c) => c.notNull())
        .addColumn('on_sale_to', 'integer', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('stock_changes_by_product').on('stock_changes').columns(['product_id', 'id']).execute();
    },
  };
}
