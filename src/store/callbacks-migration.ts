/**
 * 0006_callbacks: the durable queue of callbacks and webhooks, every attempt at sending one,
 * and each merchant's webhook URL and secret (docs/callbacks.md). Kept apart from
 * migrations.ts so that parallel branches adding migrations touch one line there.
 */
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

/** Adds the dialect's identity column (migrations.ts `withId`). */
type WithId = (table: CreateTableBuilder<string, never>) => CreateTableBuilder<string, 'id'>;

export function callbacksMigration(withId: WithId): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('merchants').addColumn('webhook_url', 'text').execute();
      await db.schema.alterTable('merchants').addColumn('webhook_secret', 'text').execute();

      await withId(db.schema.createTable('callbacks'))
        .addColumn('merchant_id', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('order_id', 'bigint')
        .addColumn('record_id', 'bigint')
        .addColumn('delivery_id', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('scheduled_from', 'bigint', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_until', 'bigint')
        .addColumn('claim_token', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('callbacks_due').on('callbacks').columns(['state', 'next_attempt_at', 'id']).execute();
      await db.schema.createIndex('callbacks_by_order').on('callbacks').columns(['merchant_id', 'order_id', 'id']).execute();

      await withId(db.schema.createTable('callback_attempts'))
        .addColumn('callback_id', 'bigint', (c) => c.notNull().references('callbacks.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addUniqueConstraint('callback_attempts_once', ['callback_id', 'attempt'])
        .execute();
    },
  };
}
