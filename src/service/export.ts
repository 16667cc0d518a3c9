/**
 * The store written as an import file (docs/import.md), so a fleet moves between
 * vendcloud instances with its ids. vendcloud keeps AppSecrets and MQTT passwords only as
 * digests, so the export carries the digests (`app_secret_hash`, `mqtt_password_hash`),
 * which let the other instance check the same secrets and cannot be signed or logged in
 * with; the webhook secret is the one secret stored in the clear, and leaves only with
 * `withSecrets`.
 */
import { formatCents } from '../domain/money.js';
import { formatOptionalWallTime, formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as imports from '../store/repositories/imports.repository.js';
import type { Machine, Merchant, PickupCode } from '../store/schema.js';
import { boardAddr } from './views.js';

export interface ExportOptions {
  /** Only this merchant's records. */
  merchantId?: number;
  /** Adds each merchant's webhook secret, the one secret vendcloud can give back. */
  withSecrets?: boolean;
}

export interface ExportedFile {
  merchants: Array<Record<string, unknown>>;
  machines: Array<Record<string, unknown>>;
  products: Array<Record<string, unknown>>;
  pickup_codes: Array<Record<string, unknown>>;
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

export async function exportFile(db: Executor, options: ExportOptions = {}): Promise<ExportedFile> {
  const merchants = await imports.merchantsToExport(db, options.merchantId);
  const machines = (await imports.machinesToExport(db, merchants.map((merchant) => merchant.id))).sort(byId);
  const machineIds = machines.map((machine) => machine.id);
  const machineOf = new Map(machines.map((machine) => [machine.id, machine]));
  const products = (await imports.productsToExport(db, machineIds)).sort(byId);
  const codes = (await imports.codesToExport(db, machineIds)).sort(byId);
  return {
    merchants: merchants.map((merchant) => merchantEntry(merchant, options.withSecrets === true)),
    machines: machines.map(machineEntry),
    products: products.map((product) => {
      const { id, name, category_title, price_cents, original_price_cents, capacity, inventory, cabinet_name, channel_x, channel_y, channel_addr } = product;
      const { channel_code, channel_name, description, thumb, content, good_no, slug, on_sale, floor_type, has_lift, drop_detection } = product;
      return {
        id,
        machine_no: machineOf.get(product.machine_id)!.machine_no,
        name,
        ...(category_title ? { category: category_title } : {}),
        price: formatCents(price_cents),
        original_price: formatCents(original_price_cents),
        capacity,
        current_inventory: inventory,
        cabinet_name,
        channel_code,
        channel_name,
        x: channel_x,
        y: channel_y,
        ...(channel_addr ? { addr: boardAddr(channel_addr) } : {}),
        on_sale: on_sale === 1,
        floor_type,
        has_lift: has_lift === 1,
        drop_detection: drop_detection === 1,
        description,
        thumb,
        content,
        good_no,
        slug,
      };
    }),
    pickup_codes: codes.map((code) => codeEntry(code, machineOf.get(code.machine_id)!)),
  };
}

function merchantEntry(merchant: Merchant, withSecrets: boolean): Record<string, unknown> {
  return {
    merchant_id: merchant.id,
    name: merchant.name,
    appid: merchant.appid,
    app_secret_hash: merchant.app_secret_hash,
    verified: merchant.verified === 1,
    require_nonce: merchant.require_nonce === 1,
    ...(merchant.webhook_url ? { webhook_url: merchant.webhook_url } : {}),
    ...(withSecrets && merchant.webhook_secret ? { webhook_secret: merchant.webhook_secret } : {}),
  };
}

function machineEntry(machine: Machine): Record<string, unknown> {
  return {
    id: machine.id,
    machine_no: machine.machine_no,
    merchant_id: machine.merchant_id,
    name: machine.name,
    mqtt_password_hash: machine.mqtt_password_hash,
    pickup_codes: machine.pickup_codes_enabled === 1,
    operating: machine.operating === 1,
    time_zone: machine.time_zone,
    created_at: formatWallTime(machine.created_at, machine.time_zone),
    address: machine.address,
    lng_lat: machine.lng_lat,
    contact: machine.contact,
    tel: machine.tel,
    notify_message: machine.notify_message,
    machine_type: machine.machine_type,
    cabinet_names: machine.cabinet_names,
    currency_code: machine.currency_code,
  };
}

function codeEntry(code: PickupCode, machine: Machine): Record<string, unknown> {
  const wall = (at: number | null) => formatOptionalWallTime(at, machine.time_zone);
  return {
    id: code.id,
    machine_no: machine.machine_no,
    product_id: code.product_id,
    code: code.code,
    status: code.status,
    expired_at: wall(code.expired_at),
    created_at: wall(code.created_at),
    ...(code.used_at !== null ? { used_at: wall(code.used_at) } : {}),
    ...(code.cancelled_at !== null ? { cancelled_at: wall(code.cancelled_at) } : {}),
  };
}
