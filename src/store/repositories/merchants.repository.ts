/** Merchants: their accounts as authentication reads them, and the operator's changes. */
import type { Executor } from '../executor.js';
import type { CallbackSignForm } from '../../domain/callbacks.js';
import type { LiveCodesLimit } from '../../domain/live-codes-limit.js';
import type { SigningForm } from '../../protocol/signature.js';
import type { Flag, Merchant } from '../schema.js';

export type MerchantAccount = Pick<
  Merchant,
  'id' | 'appid' | 'app_secret_hash' | 'verified' | 'expires_at' | 'require_nonce' | 'request_sign_form' | 'suspended' | 'signing_secret' | 'require_signature' | 'live_codes_limit'
>;

export function findAccountByAppid(db: Executor, appid: string): Promise<MerchantAccount | undefined> {
  return db
    .selectFrom('merchants')
    .select(['id', 'appid', 'app_secret_hash', 'verified', 'expires_at', 'require_nonce', 'request_sign_form', 'suspended', 'signing_secret', 'require_signature', 'live_codes_limit'])
    .where('appid', '=', appid)
    .executeTakeFirst();
}

export interface NewMerchantRow {
  name: string;
  appid: string;
  appSecretHash: string;
  verified: boolean;
  expiresAt: number | null;
  createdAt: number;
}

export async function insert(db: Executor, merchant: NewMerchantRow): Promise<number> {
  const row = await db
    .insertInto('merchants')
    .values({
      name: merchant.name,
      appid: merchant.appid,
      app_secret_hash: merchant.appSecretHash,
      verified: merchant.verified ? 1 : 0,
      expires_at: merchant.expiresAt,
      created_at: merchant.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface MerchantSettings {
  verified?: Flag;
  expires_at?: number | null;
  require_nonce?: Flag;
  suspended?: Flag;
  app_secret_hash?: string;
  signing_secret?: string | null;
  require_signature?: Flag;
  live_codes_limit?: LiveCodesLimit;
  credentials_changed_at?: number;
  callback_sign_form?: CallbackSignForm;
}

/** The Appids whose credentials changed at or after `since` (a cache drops their rows). */
export async function appidsChangedSince(db: Executor, since: number): Promise<string[]> {
  const rows = await db.selectFrom('merchants').select('appid').where('credentials_changed_at', '>=', since).execute();
  return rows.map((row) => row.appid);
}

/** False when there is no such merchant. */
export async function update(db: Executor, merchantId: number, settings: MerchantSettings): Promise<boolean> {
  const result = await db.updateTable('merchants').set(settings).where('id', '=', merchantId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function exists(db: Executor, merchantId: number): Promise<boolean> {
  return (await db.selectFrom('merchants').select('id').where('id', '=', merchantId).executeTakeFirst()) !== undefined;
}

/** Every merchant as the operator lists them (no secret, no hash), with its number of machines, by id. */
export function listForOperator(db: Executor) {
  return db
    .selectFrom('merchants')
    .select(['id', 'name', 'appid', 'verified', 'expires_at', 'created_at', 'webhook_url'])
    .select((eb) => eb.selectFrom('machines').select(eb.fn.countAll<number>().as('n')).whereRef('machines.merchant_id', '=', 'merchants.id').as('machines'))
    .orderBy('id')
    .execute();
}

/** The oldest merchant of that name (the demo merchant is found by its name). */
export function findFirstByName(db: Executor, name: string): Promise<{ id: number; appid: string } | undefined> {
  return db.selectFrom('merchants').select(['id', 'appid']).where('name', '=', name).orderBy('id').executeTakeFirst();
}

export async function setSecretHash(db: Executor, merchantId: number, appSecretHash: string): Promise<void> {
  await db.updateTable('merchants').set({ app_secret_hash: appSecretHash }).where('id', '=', merchantId).execute();
}

/** Where the merchant's events go and the key that signs them (the sender's read; never answered). */
export function webhookOf(db: Executor, merchantId: number): Promise<{ webhook_url: string | null; webhook_secret: string | null } | undefined> {
  return db.selectFrom('merchants').select(['webhook_url', 'webhook_secret']).where('id', '=', merchantId).executeTakeFirst();
}

/** How the sender signs the merchant's callbacks: its webhook secret and its signing forms (never answered). */
export function callbackSigningOf(db: Executor, merchantId: number): Promise<Pick<Merchant, 'webhook_secret' | 'callback_sign_form' | 'request_sign_form'> | undefined> {
  return db.selectFrom('merchants').select(['webhook_secret', 'callback_sign_form', 'request_sign_form']).where('id', '=', merchantId).executeTakeFirst();
}

/** Records the form of the merchant's latest signed request; a row already holding it is left alone. */
export async function recordRequestSignForm(db: Executor, merchantId: number, form: SigningForm): Promise<void> {
  await db
    .updateTable('merchants')
    .set({ request_sign_form: form })
    .where('id', '=', merchantId)
    .where((eb) => eb.or([eb('request_sign_form', 'is', null), eb('request_sign_form', '!=', form)]))
    .execute();
}

/** False when there is no such merchant. */
export async function setWebhook(db: Executor, merchantId: number, change: { url?: string | null; secret?: string }): Promise<boolean> {
  const values = { ...(change.url !== undefined ? { webhook_url: change.url } : {}), ...(change.secret !== undefined ? { webhook_secret: change.secret } : {}) };
  if (Object.keys(values).length === 0) return exists(db, merchantId);
  const result = await db.updateTable('merchants').set(values).where('id', '=', merchantId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
