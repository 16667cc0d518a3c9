/**
 * The operator's side: merchants, machines and products are created here (the original
 * has a web dashboard; vendcloud has the `vendcloud` CLI, which calls these).
 */
import type { CallbackSignForm } from '../domain/callbacks.js';
import type { LiveCodesLimit } from '../domain/live-codes-limit.js';
import { refusedCallbackUrl } from '../domain/callback-targets.js';
import { generateAppid, generateSecret, hashSecret } from '../domain/credentials.js';
import { isCabinetName, isCapacity, isFloorType, isInventoryWithin, isMachineNo } from '../domain/fields.js';
import { isLinkMode } from '../domain/link-profiles.js';
import { parseCents } from '../domain/money.js';
import { assertTimeZone, DEFAULT_TIME_ZONE, nowSeconds } from '../protocol/time.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import * as products from '../store/repositories/products.repository.js';
import * as stock from '../store/repositories/stock.repository.js';
import type { Author, Store } from '../store/store.js';
import { generateWebhookSecret } from './callbacks.js';
import { Refused } from './refused.js';
import { authorAt, runChange } from './runner.js';
import { restockProducts, setStock } from './stock.js';

/** A mistake in what the operator asked for; the CLI prints its message and exits 2. */
export class AdminInputError extends Error {
  override name = 'AdminInputError';
}

/** The author of the operator's changes (the CLI's commands), now: their stock changes' history names it. */
export function operatorAuthor(): Author {
  return authorAt('operator', nowSeconds());
}

/** What a merchant signs its Open API requests with. */
export interface MerchantCredentials {
  merchant_id: number;
  appid: string;
  app_secret: string;
}

export interface NewMerchant extends MerchantCredentials {
  /** Keys the `Vendcloud-Signature` of its callbacks (docs/callbacks.md); shown once. */
  webhook_secret: string;
}

export async function createMerchant(store: Store, input: { name: string; expiresAt?: number | null; verified?: boolean }): Promise<NewMerchant> {
  const name = input.name.trim();
  if (!name) throw new AdminInputError('merchant name must not be empty');
  const appSecret = generateSecret();
  const appid = generateAppid();
  const webhookSecret = generateWebhookSecret();
  const merchantId = await runChange(store, operatorAuthor(), async ({ trx, now }) => {
    const id = await merchants.insert(trx, {
      name,
      appid,
      appSecretHash: hashSecret(appSecret),
      verified: input.verified !== false,
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
    });
    await merchants.setWebhook(trx, id, { secret: webhookSecret });
    return id;
  });
  return { merchant_id: merchantId, appid, app_secret: appSecret, webhook_secret: webhookSecret };
}

export interface MerchantChange {
  verified?: boolean;
  expiresAt?: number | null;
  /** Strict replay protection: refuse every signed write without a signed `nonce`. */
  requireNonce?: boolean;
  /** Every request refused (10010) until lifted; running instances drop the cached merchant within a second. */
  suspended?: boolean;
  /** Refuse every request without a valid `Vendcloud-Request-Signature` (docs/security.md). */
  requireSignature?: boolean;
  /** The cap on a product's live codes (domain/live-codes-limit.ts). */
  liveCodesLimit?: LiveCodesLimit;
  /** The form of its callbacks' MD5 `sign` (domain/callbacks.ts). */
  callbackSignForm?: CallbackSignForm;
}

export async function setMerchant(store: Store, merchantId: number, change: MerchantChange): Promise<void> {
  const values: merchants.MerchantSettings = {};
  if (change.verified !== undefined) values.verified = change.verified ? 1 : 0;
  if (change.expiresAt !== undefined) values.expires_at = change.expiresAt;
  if (change.requireNonce !== undefined) values.require_nonce = change.requireNonce ? 1 : 0;
  if (change.suspended !== undefined) values.suspended = change.suspended ? 1 : 0;
  if (change.requireSignature !== undefined) values.require_signature = change.requireSignature ? 1 : 0;
  if (change.liveCodesLimit !== undefined) values.live_codes_limit = change.liveCodesLimit;
  if (change.callbackSignForm !== undefined) values.callback_sign_form = change.callbackSignForm;
  if (Object.keys(values).length === 0) return;
  // Whatever changed, running instances drop their cached row of this merchant within a second.
  const author = operatorAuthor();
  values.credentials_changed_at = author.at;
  if (!(await runChange(store, author, ({ trx }) => merchants.update(trx, merchantId, values)))) throw new AdminInputError(`no merchant ${merchantId}`);
}

/** A new AppSecret (returned, shown once); the old one answers 10013 on every instance within a second. */
export async function rotateAppSecret(store: Store, merchantId: number): Promise<{ app_secret: string }> {
  const appSecret = generateSecret();
  const found = await runChange(store, operatorAuthor(), ({ trx, now }) => merchants.update(trx, merchantId, { app_secret_hash: hashSecret(appSecret), credentials_changed_at: now }));
  if (!found) throw new AdminInputError(`no merchant ${merchantId}`);
  return { app_secret: appSecret };
}

/** A new key for the opt-in HMAC request signature (returned, shown once); the old one stops at once. */
export async function rotateSigningSecret(store: Store, merchantId: number): Promise<{ signing_secret: string }> {
  const signingSecret = generateSecret(48);
  const found = await runChange(store, operatorAuthor(), ({ trx, now }) => merchants.update(trx, merchantId, { signing_secret: signingSecret, credentials_changed_at: now }));
  if (!found) throw new AdminInputError(`no merchant ${merchantId}`);
  return { signing_secret: signingSecret };
}

/** A new MQTT password (returned, shown once); the old one stops at once and a connection logged in with it is closed. */
export async function rotateMqttPassword(store: Store, machineNo: string): Promise<{ mqtt_password: string }> {
  const mqttPassword = generateSecret();
  const found = await runChange(store, operatorAuthor(), ({ trx, now }) => machines.update(trx, machineNo, { mqtt_password_hash: hashSecret(mqttPassword), credentials_changed_at: now }, now));
  if (!found) throw new AdminInputError(`no machine ${machineNo}`);
  return { mqtt_password: mqttPassword };
}

export interface WebhookChange {
  /** The merchant's webhook URL; null removes it. */
  url?: string | null;
  /** A new webhook secret replaces the old one at once (returned, shown once). */
  rotateSecret?: boolean;
  /** Accept a literal loopback or private address (tests, a closed network). */
  allowPrivate?: boolean;
}

/** Sets the merchant's webhook; returns the new secret when it was rotated. */
export async function setMerchantWebhook(store: Store, merchantId: number, change: WebhookChange): Promise<{ webhook_secret?: string }> {
  if (change.url) {
    const refused = refusedCallbackUrl(change.url, change.allowPrivate === true);
    if (refused) throw new AdminInputError(`webhook URL refused: ${refused}`);
  }
  const secret = change.rotateSecret ? generateWebhookSecret() : undefined;
  const found = await runChange(store, operatorAuthor(), ({ trx }) => merchants.setWebhook(trx, merchantId, { ...(change.url !== undefined ? { url: change.url } : {}), ...(secret ? { secret } : {}) }));
  if (!found) throw new AdminInputError(`no merchant ${merchantId}`);
  return secret ? { webhook_secret: secret } : {};
}

export interface NewMachine {
  machine_no: string;
  machine_id: number;
  mqtt_password: string;
}

export interface MachineInput {
  merchantId: number;
  machineNo: string;
  name?: string;
  pickupCodes?: boolean;
  timeZone?: string;
  address?: string;
}

export async function createMachine(store: Store, input: MachineInput): Promise<NewMachine> {
  if (!isMachineNo(input.machineNo)) throw new AdminInputError('machine number must be 8 or more digits');
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    assertTimeZone(timeZone);
  } catch {
    throw new AdminInputError(`unknown time zone: ${timeZone}`);
  }
  const mqttPassword = generateSecret();
  const machineId = await runChange(store, operatorAuthor(), async ({ trx, now }) => {
    if (!(await merchants.exists(trx, input.merchantId))) throw new AdminInputError(`no merchant ${input.merchantId}`);
    if (await machines.findByNumber(trx, input.machineNo)) throw new AdminInputError(`machine ${input.machineNo} exists already`);
    return machines.insert(trx, {
      merchant_id: input.merchantId,
      machine_no: input.machineNo,
      // machines.md always sends a name, so a machine never has an empty one.
      name: input.name?.trim() || `Machine ${input.machineNo}`,
      address: input.address ?? '',
      pickup_codes_enabled: input.pickupCodes ? 1 : 0,
      time_zone: timeZone,
      mqtt_password_hash: hashSecret(mqttPassword),
      created_at: now,
    });
  });
  return { machine_no: input.machineNo, machine_id: machineId, mqtt_password: mqttPassword };
}

export async function setMachine(store: Store, machineNo: string, change: { pickupCodes?: boolean; operating?: boolean; link?: string; disabled?: boolean }): Promise<void> {
  const values: machines.MachineSettings = {};
  if (change.pickupCodes !== undefined) values.pickup_codes_enabled = change.pickupCodes ? 1 : 0;
  if (change.operating !== undefined) values.operating = change.operating ? 1 : 0;
  if (change.link !== undefined && !isLinkMode(change.link)) throw new AdminInputError('link must be original, extended or auto');
  if (change.link !== undefined) values.link_mode = change.link;
  // A disabled machine may not log in, and its live connection is closed (docs/security.md).
  const author = operatorAuthor();
  if (change.disabled !== undefined) Object.assign(values, { disabled: change.disabled ? 1 : 0, credentials_changed_at: author.at });
  if (Object.keys(values).length === 0) throw new AdminInputError('nothing to change: give --pickup-codes, --operating, --link, --disable or --rotate-mqtt-password');
  if (!(await runChange(store, author, ({ trx, now }) => machines.update(trx, machineNo, values, now)))) throw new AdminInputError(`no machine ${machineNo}`);
}

export interface ProductInput {
  machineNo: string;
  name: string;
  price: string;
  capacity: number;
  inventory: number;
  channel?: string;
  cabinet?: string;
  category?: string;
  onSale?: boolean;
  /** The channel type (1 motor, 2 electronic lock, 3 belt), whose stay time locks the machine while it vends. */
  floorType?: number;
  lift?: boolean;
  dropDetection?: boolean;
}

export async function createProduct(store: Store, input: ProductInput): Promise<{ id: number }> {
  const priceCents = parseCents(input.price);
  if (priceCents === undefined) throw new AdminInputError('price must be a decimal amount such as 1.00');
  if (!input.name.trim()) throw new AdminInputError('product name must not be empty');
  if (input.cabinet !== undefined && !isCabinetName(input.cabinet)) throw new AdminInputError('cabinet must be one letter from A to Z');
  if (!isCapacity(input.capacity)) throw new AdminInputError('capacity must be a positive integer');
  if (input.floorType !== undefined && !isFloorType(input.floorType)) throw new AdminInputError('floor type must be 1 (motor), 2 (electronic lock) or 3 (belt)');
  if (!isInventoryWithin(input.inventory, input.capacity)) {
    throw new AdminInputError('inventory must be an integer from 0 to the capacity');
  }
  return runChange(store, operatorAuthor(), async ({ trx, now }) => {
    const machine = await machines.findByNumber(trx, input.machineNo);
    if (!machine) throw new AdminInputError(`no machine ${input.machineNo}`);
    const categoryId = input.category ? await products.categoryIdFor(trx, machine.merchant_id, input.category) : null;
    const id = await products.insert(trx, {
      machine_id: machine.id,
      category_id: categoryId,
      name: input.name.trim(),
      price_cents: priceCents,
      original_price_cents: priceCents,
      channel_name: input.channel ?? '',
      channel_code: input.channel ?? '',
      cabinet_name: input.cabinet ?? 'A',
      capacity: input.capacity,
      inventory: input.inventory,
      on_sale: input.onSale === false ? 0 : 1,
      created_at: now,
      floor_type: input.floorType ?? 0,
      has_lift: input.lift ? 1 : 0,
      drop_detection: input.dropDetection ? 1 : 0,
    });
    return { id };
  });
}

export async function setProductInventory(store: Store, productId: number, inventory: number): Promise<void> {
  await runChange(store, operatorAuthor(), async (work) => {
    const machineId = await stock.machineOfProduct(work.trx, productId);
    if (machineId === undefined) throw new AdminInputError(`no product ${productId}`);
    try {
      await setStock(work, machineId, productId, { inventory, reason: 'set' });
    } catch (error) {
      if (error instanceof Refused) throw new AdminInputError('inventory must be a whole number from 0 to the capacity');
      throw error;
    }
  });
}

/** Every product of the machine (or the one given) on sale and refilled to capacity; how many. */
export async function restockMachine(store: Store, machineNo: string, productId?: number): Promise<number> {
  return runChange(store, operatorAuthor(), async (work) => {
    const machine = await machines.findByNumber(work.trx, machineNo);
    if (!machine) throw new AdminInputError(`no machine ${machineNo}`);
    try {
      return (await restockProducts(work, machine.id, productId === undefined ? 'all' : [productId], 1)).length;
    } catch (error) {
      if (error instanceof Refused) throw new AdminInputError(`no product ${productId} in machine ${machineNo}`);
      throw error;
    }
  });
}
