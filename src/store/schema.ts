/**
 * Every table of vendcloud, for Kysely. Times are Unix seconds; money is integer cents;
 * flags are 0/1 integers: the same representation on SQLite and PostgreSQL.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { MachineCredentialColumns, MerchantCredentialColumns } from './credentials-schema.js';
import type { CallbackKind, CallbackSignForm, CallbackState } from '../domain/callbacks.js';
import type { DeliveryStatus } from '../domain/deliveries.js';
import type { CodeStatus } from '../domain/pickup-codes.js';
import type { SigningForm } from '../protocol/signature.js';

export type { CodeStatus };
export type Flag = 0 | 1;

export interface MerchantTable extends MerchantCredentialColumns {
  id: Generated<number>;
  name: string;
  appid: string;
  /** scrypt hash of the AppSecret (see domain/credentials.ts); the secret itself is never stored. */
  app_secret_hash: string;
  verified: Generated<Flag>;
  /** Strict replay protection: every signed write must carry a signed `nonce`. */
  require_nonce: Generated<Flag>;
  /** Unix seconds after which the merchant may not use the API; null = never. */
  expires_at: number | null;
  created_at: number;
  /** Where the merchant's events go (docs/callbacks.md); null = nowhere. */
  webhook_url: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * The key of the `Vendcloud-Signature` HMAC. Kept as it is, not hashed: the server must
   * present it to sign (docs/callbacks.md, "How the secret is kept"). Never logged or answered.
   */
  webhook_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** The form its callbacks' MD5 `sign` is made in: `auto` (the latest request's) or a signing form (domain/callbacks.ts). */
  callback_sign_form: Generated<CallbackSignForm>;
  /** The signing form of its latest accepted signed request; null until it sends one. Written only when it changes. */
  request_sign_form: ColumnType<SigningForm | null, SigningForm | null | undefined, SigningForm | null>;
}

export interface MachineTable extends MachineCredentialColumns {
  id: Generated<number>;
  merchant_id: number;
  machine_no: string;
  name: Generated<string>;
  address: Generated<string>;
  lng_lat: Generated<string>;
  contact: Generated<string>;
  tel: Generated<string>;
  notify_message: Generated<string>;
  machine_type: Generated<string>;
  /** Comma-separated cabinet names, e.g. "A,B". */
  cabinet_names: Generated<string>;
  operating: Generated<Flag>;
  pickup_codes_enabled: Generated<Flag>;
  is_online: Generated<Flag>;
  last_seen_at: number | null;
  network_type: Generated<string>;
  network_rssi: Generated<string>;
  /** The operator's choice: `auto` (the machine's own word), `original` or `extended`. */
  link_mode: Generated<string>;
  /** 1 once the machine said it speaks vendcloud's extensions. */
  link_extended: Generated<Flag>;
  time_zone: string;
  currency_code: Generated<string>;
  mqtt_password_hash: string;
  created_at: number;
  /** Migration 0015_machine_changes: Unix seconds of the operator's last change; running instances drop their cached MachineRef after it. */
  changed_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CategoryTable {
  id: Generated<number>;
  merchant_id: number;
  title: string;
}

export interface ProductTable {
  id: Generated<number>;
  machine_id: number;
  category_id: number | null;
  name: string;
  description: Generated<string>;
  thumb: Generated<string>;
  price_cents: number;
  original_price_cents: number;
  content: Generated<string>;
  good_no: Generated<string>;
  slug: Generated<string>;
  channel_name: string;
  cabinet_name: Generated<string>;
  channel_code: Generated<string>;
  channel_x: Generated<number>;
  channel_y: Generated<number>;
  channel_addr: Generated<string>;
  capacity: number;
  inventory: number;
  on_sale: Generated<Flag>;
  created_at: number;
  /** channel.debugging.md's floor_type: 1 motor, 2 electronic lock, 3 belt; 0 not set. */
  floor_type: Generated<number>;
  /** A lift (升降台) carries the item down: the vend command's `is_lp`. */
  has_lift: Generated<Flag>;
  /** Drop detection (掉货监测): the vend command's `is_dc`. */
  drop_detection: Generated<Flag>;
}

export interface PickupCodeTable {
  id: Generated<number>;
  machine_id: number;
  product_id: number;
  code: string;
  status: CodeStatus;
  quantity: Generated<number>;
  expired_at: number | null;
  created_at: number;
  used_at: number | null;
  order_id: number | null;
  cancelled_at: number | null;
  cancelled_by: string | null;
  cancel_request_id: string | null;
}

export interface OrderTable {
  id: Generated<number>;
  merchant_id: number;
  machine_id: number;
  /** The merchant's order number for API consumes; null for redemptions at the machine. */
  trade_id: string | null;
  notify_url: string | null;
  amount_cents: number;
  status: string;
  pickup_code_id: number | null;
  created_at: number;
}

export interface OrderRecordTable {
  id: Generated<number>;
  order_id: number;
  product_id: number;
  quantity: number;
  price_cents: number;
  status: string;
}

/** Append-only: one row per change of a pickup code, never updated or deleted. */
export interface CodeHistoryTable {
  id: Generated<number>;
  pickup_code_id: number;
  action: string;
  from_status: CodeStatus | null;
  to_status: CodeStatus;
  actor: string;
  request_id: string | null;
  detail: string | null;
  at: number;
}

/** The first answer to each signed write that carried an idempotency key, so that a retry gets it again. */
export interface AnsweredRequestTable {
  merchant_id: number;
  /** The client's key: the payload's `nonce`, or the `Idempotency-Key` header. */
  idempotency_key: string;
  /** SHA-256 of the route and the fields asked for: a reuse of the key for another request differs here. */
  fingerprint: string;
  response: string;
  answered_at: number;
}

/** Messages for machines, written in the same transaction as the change they announce. */
export interface OutboxTable {
  id: Generated<number>;
  machine_id: number;
  method: string;
  /** JSON object of the message's own fields (without the common envelope fields). */
  body: string;
  created_at: number;
  sent_at: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A machine report already handled (see src/service/machine-reports.ts). */
export interface MachineReportTable {
  machine_id: number;
  /** The code the machine named; not a foreign key, since a machine may name an unknown one. */
  pickup_code_id: number;
  /** Chosen by the machine, unique per machine and code. */
  report_id: string;
  received_at: number;
}

/** One callback or webhook to send, until a 2xx or the end of its schedule (domain/callbacks.ts). */
export interface CallbackTable {
  id: Generated<number>;
  merchant_id: number;
  kind: CallbackKind;
  /** `Vendcloud-Event-Id`: the same on every attempt. */
  event_id: string;
  event_type: string;
  url: string;
  /** The JSON sent (a notify callback's fields without `timestamp` and `sign`, added per attempt). */
  body: string;
  order_id: number | null;
  record_id: number | null;
  delivery_id: number | null;
  state: CallbackState;
  attempts: Generated<number>;
  /** Where the 24-hour schedule starts: when queued, or when last re-sent by hand. */
  scheduled_from: number;
  next_attempt_at: number;
  /** An instance sending it holds it until then; after that (the sender died) anyone may take it. */
  claimed_until: number | null;
  claim_token: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Append-only: one row per attempt at sending a callback. */
export interface CallbackAttemptTable {
  id: Generated<number>;
  callback_id: number;
  /** 1 for the first attempt; with callback_id unique, so no attempt is recorded twice. */
  attempt: number;
  started_at: number;
  latency_ms: number;
  http_status: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'failed';
}

/** One vend command: for an order record, or a test vend by channel (no order). */
export interface DeliveryTable {
  id: Generated<number>;
  merchant_id: number;
  machine_id: number;
  /** Null for a test vend (deliveries/debug). */
  order_id: number | null;
  record_id: number | null;
  product_id: number;
  /** Where a test vend's result goes; an order's is the order's notify_url. */
  notify_url: string | null;
  status: DeliveryStatus;
  floor_status: number | null;
  fail_reason: string | null;
  /** When the command was given (delivered_at). */
  created_at: number;
  /** When the result (or the timeout) settled it (pickup_at for a success). */
  settled_at: number | null;
}

/** The machine is vending: no other command until the result or `locked_until`. */
export interface DeliveryLockTable {
  machine_id: number;
  delivery_id: number;
  locked_until: number;
}

/** One change of a product's stock or sale state, by a machine, a merchant or an operator. */
export interface StockChangeTable {
  id: Generated<number>;
  product_id: number;
  machine_id: number;
  inventory_from: number;
  inventory_to: number;
  on_sale_from: Flag;
  on_sale_to: Flag;
  /** `machine:<no>`, `merchant:<appid>`, `operator`. */
  actor: string;
  /** What changed it: `product.put`, `restock`, `off sale`, `set`. */
  reason: string;
  at: number;
}

export interface Database {
  merchants: MerchantTable;
  machines: MachineTable;
  categories: CategoryTable;
  products: ProductTable;
  pickup_codes: PickupCodeTable;
  orders: OrderTable;
  order_records: OrderRecordTable;
  code_history: CodeHistoryTable;
  answered_requests: AnsweredRequestTable;
  outbox: OutboxTable;
  machine_reports: MachineReportTable;
  callbacks: CallbackTable;
  callback_attempts: CallbackAttemptTable;
  deliveries: DeliveryTable;
  delivery_locks: DeliveryLockTable;
  stock_changes: StockChangeTable;
}

export type Merchant = Selectable<MerchantTable>;
export type Machine = Selectable<MachineTable>;
export type Product = Selectable<ProductTable>;
export type PickupCode = Selectable<PickupCodeTable>;
export type Delivery = Selectable<DeliveryTable>;
export type NewCodeHistory = Insertable<CodeHistoryTable>;
