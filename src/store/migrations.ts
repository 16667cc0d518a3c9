/** Numbered migrations that only move forward: the same steps on SQLite and PostgreSQL, each built for its dialect (only the identity column differs). */
import { callbacksMigration } from './callbacks-migration.js';
import { credentialsMigration } from './credentials-migration.js';
import { callbackSignFormMigration } from './callback-sign-form-migration.js';
import { linkProfilesMigration } from './link-profiles-migration.js';
import { retentionMigration } from './retention-migration.js';
import { codePageMigration } from './code-page-migration.js';
import { consoleReadsMigration } from './console-reads-migration.js';
import { liveCodesLimitMigration } from './live-codes-limit-migration.js';
import { machineChangesMigration } from './machine-changes-migration.js';
import { sql, type Kysely, type Migration, type MigrationProvider, type CreateTableBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function withId(table: CreateTableBuilder<string, never>, dialect: Dialect): CreateTableBuilder<string, 'id'> {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** Merchants, their machines, categories and products. */
async function createFleet(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('merchants'), dialect)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('appid', 'text', (c) => c.notNull().unique())
    .addColumn('app_secret_hash', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('machines'), dialect)
    .addColumn('merchant_id', 'bigint', (c) => c.notNull().references('merchants.id'))
    .addColumn('machine_no', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lng_lat', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tel', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('notify_message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('machine_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cabinet_names', 'text', (c) => c.notNull().defaultTo('A'))
    .addColumn('operating', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('pickup_codes_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seen_at', 'bigint')
    .addColumn('network_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('network_rssi', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('currency_code', 'text', (c) => c.notNull().defaultTo('CNY'))
    .addColumn('mqtt_password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('machines_by_merchant').on('machines').columns(['merchant_id', 'id']).execute();

  await withId(db.schema.createTable('categories'), dialect)
    .addColumn('merchant_id', 'bigint', (c) => c.notNull().references('merchants.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addUniqueConstraint('categories_title_per_merchant', ['merchant_id', 'title'])
    .execute();

  await withId(db.schema.createTable('products'), dialect)
    .addColumn('machine_id', 'bigint', (c) => c.notNull().references('machines.id'))
    .addColumn('category_id', 'bigint', (c) => c.references('categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('thumb', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('price_cents', 'bigint', (c) => c.notNull())
    .addColumn('original_price_cents', 'bigint', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('good_no', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('slug', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('channel_name', 'text', (c) => c.notNull())
    .addColumn('cabinet_name', 'text', (c) => c.notNull().defaultTo('A'))
    .addColumn('channel_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('channel_x', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel_y', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel_addr', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('inventory', 'integer', (c) => c.notNull())
    .addColumn('on_sale', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('products_inventory_in_range', sql`inventory >= 0 and inventory <= capacity`)
    .execute();
  await db.schema.createIndex('products_by_machine').on('products').columns(['machine_id', 'cabinet_name', 'id']).execute();
}

/** Orders and their records. */
async function createOrders(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('orders'), dialect)
    .addColumn('merchant_id', 'bigint', (c) => c.notNull().references('merchants.id'))
    .addColumn('machine_id', 'bigint', (c) => c.notNull().references('machines.id'))
    .addColumn('trade_id', 'text')
    .addColumn('notify_url', 'text')
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pickup_code_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('orders_trade_id_per_merchant', ['merchant_id', 'trade_id'])
    .execute();
  // One order per redeemed code, whichever way (API or keypad) it was redeemed.
  await db.schema.createIndex('orders_one_per_code').unique().on('orders').column('pickup_code_id').execute();

  await withId(db.schema.createTable('order_records'), dialect)
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('product_id', 'bigint', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('price_cents', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_records_by_order').on('order_records').column('order_id').execute();
}

/** Pickup codes and their history. */
async function createPickupCodes(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('pickup_codes'), dialect)
    .addColumn('machine_id', 'bigint', (c) => c.notNull().references('machines.id'))
    .addColumn('product_id', 'bigint', (c) => c.notNull().references('products.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('expired_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('order_id', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('cancelled_by', 'text')
    .addColumn('cancel_request_id', 'text')
    .addCheckConstraint('pickup_codes_status', sql`status in ('UNUSED', 'USED', 'CANCELLED')`)
    .execute();
  // A code typed on the keypad must name one live code: unique among the machine's
  // UNUSED codes only, so used and cancelled codes can be drawn again later.
  await db.schema
    .createIndex('pickup_codes_unused_unique')
    .unique()
    .on('pickup_codes')
    .columns(['machine_id', 'code'])
    .where(sql.ref('status'), '=', 'UNUSED')
    .execute();
  await db.schema.createIndex('pickup_codes_by_product').on('pickup_codes').columns(['product_id', 'status', 'id']).execute();
  await db.schema.createIndex('pickup_codes_by_machine').on('pickup_codes').columns(['machine_id', 'status', 'id']).execute();

  await withId(db.schema.createTable('code_history'), dialect)
    .addColumn('pickup_code_id', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('code_history_by_code').on('code_history').columns(['pickup_code_id', 'id']).execute();
}

/** Answers kept for retries, and pushes waiting for their machine. */
async function createBookkeeping(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('answered_requests')
    .addColumn('merchant_id', 'bigint', (c) => c.notNull())
    .addColumn('sign', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('answered_requests_pk', ['merchant_id', 'sign'])
    .execute();
  await db.schema.createIndex('answered_requests_by_age').on('answered_requests').column('answered_at').execute();

  await withId(db.schema.createTable('outbox'), dialect)
    .addColumn('machine_id', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_unsent').on('outbox').columns(['sent_at', 'machine_id', 'id']).execute();
}

function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await createFleet(db, dialect);
      await createOrders(db, dialect);
      await createPickupCodes(db, dialect);
      await createBookkeeping(db, dialect);
    },
  };
}

/**
 * Idempotency keys (issue 9): answers are stored under the key the client chose (a signed
 * `nonce` or an `Idempotency-Key` header) with a fingerprint of what was asked, instead of
 * under the request's `sign`. Answers stored under a sign meant "identical bytes are one
 * request", which is not the original's rule, so they are dropped rather than carried over;
 * merchants may require a nonce on every write.
 */
const idempotencyKeys: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('merchants').addColumn('require_nonce', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.dropTable('answered_requests').execute();
    await db.schema
      .createTable('answered_requests')
      .addColumn('merchant_id', 'bigint', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('answered_requests_pk', ['merchant_id', 'idempotency_key'])
      .execute();
    await db.schema.createIndex('answered_requests_by_age').on('answered_requests').column('answered_at').execute();
  },
};

/**
 * Reports machines re-send until the server acknowledges them: one row per (machine, code,
 * report id), written in the transaction of the change the report caused, so a re-sent
 * report is recognised and changes nothing. One row per redemption, like orders: kept.
 */
const machineReports: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('machine_reports')
      .addColumn('machine_id', 'bigint', (c) => c.notNull())
      .addColumn('pickup_code_id', 'bigint', (c) => c.notNull())
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('machine_reports_pk', ['machine_id', 'pickup_code_id', 'report_id'])
      .execute();
  },
};

/**
 * A code's history shows the pushes that carried its changes: the outbox rows of its machine
 * written in the second of each change (same transaction, same clock), found through this index.
 */
const outboxByMachine: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('outbox_by_machine').on('outbox').columns(['machine_id', 'created_at', 'id']).execute();
  },
};

/**
 * Deliveries (issue 11): one row per vend command, for an order record or a test vend by
 * channel; the lock that keeps one vend at a time on a machine (one row per machine, taken
 * by a conditional upsert, so two instances on one PostgreSQL cannot both hold it); and
 * each product's channel type, lift and drop detection, which the vend command carries.
 */
function deliveries(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable('deliveries'), dialect)
        .addColumn('merchant_id', 'bigint', (c) => c.notNull().references('merchants.id'))
        .addColumn('machine_id', 'bigint', (c) => c.notNull().references('machines.id'))
        .addColumn('order_id', 'bigint')
        .addColumn('record_id', 'bigint')
        .addColumn('product_id', 'bigint', (c) => c.notNull())
        .addColumn('notify_url', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('floor_status', 'integer')
        .addColumn('fail_reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('settled_at', 'bigint')
        .execute();
      await db.schema.createIndex('deliveries_by_status').on('deliveries').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('deliveries_by_record').on('deliveries').columns(['record_id', 'id']).execute();
      await db.schema
        .createTable('delivery_locks')
        .addColumn('machine_id', 'bigint', (c) => c.primaryKey())
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('products').addColumn('floor_type', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('products').addColumn('has_lift', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('products').addColumn('drop_detection', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001_initial': initial(dialect),
        '0002_idempotency_keys': idempotencyKeys,
        '0003_machine_reports': machineReports,
        '0004_outbox_by_machine': outboxByMachine,
        '0005_deliveries': deliveries(dialect),
        '0006_callbacks': callbacksMigration((table) => withId(table, dialect)),
        '0007_link_profiles': linkProfilesMigration((table) => withId(table, dialect)),
        '0008_credentials': credentialsMigration,
        '0010_callback_sign_form': callbackSignFormMigration,
        '0011_conflicts': retentionMigration,
        '0012_live_codes_limit': liveCodesLimitMigration,
        '0013_console_reads': consoleReadsMigration,
        '0014_code_page': codePageMigration,
        '0015_machine_changes': machineChangesMigration,
      };
    },
  };
}
