/**
 * One record of an import file (docs/import.md) read and checked field by field, with the
 * rules the Open API and the CLI apply (fields.ts, money.ts, credentials.ts, time.ts), so a
 * file is held to the same rules as the requests that would have made its records. Every
 * problem names its JSON path (import-reader.ts).
 */
import { assertTimeZone, DEFAULT_TIME_ZONE } from '../protocol/time.js';
import { refusedCallbackUrl } from './callback-targets.js';
import { isAppid } from './credentials.js';
import { RecordReader, type ImportProblem } from './import-reader.js';
import { isCabinetName, isCapacity, isFloorType, isInventoryWithin, isMachineNo, isPickupCode } from './fields.js';
import type { CodeStatus } from './pickup-codes.js';

export { RecordReader, type ImportProblem };

type Flag = 0 | 1;

export interface MerchantRecord {
  path: string;
  id: number;
  name: string;
  appid: string;
  app_secret_hash: string;
  verified: Flag;
  require_nonce: Flag;
  webhook_url: string | null;
  webhook_secret: string | null;
}

/** The machine's texts the file may carry besides its name, each '' when absent. */
export const MACHINE_TEXTS = ['address', 'lng_lat', 'contact', 'tel', 'notify_message', 'machine_type', 'cabinet_names', 'currency_code'] as const;
export type MachineText = (typeof MACHINE_TEXTS)[number];

export interface MachineRecord extends Record<MachineText, string> {
  path: string;
  id: number;
  merchant_id: number;
  machine_no: string;
  name: string;
  mqtt_password_hash: string;
  pickup_codes_enabled: Flag;
  operating: Flag;
  time_zone: string;
  /** Null when the file does not say: the time of the import. */
  created_at: number | null;
}

/** The product's texts the file may carry besides its name, each '' when absent. */
export const PRODUCT_TEXTS = ['description', 'thumb', 'content', 'good_no', 'slug', 'channel_name', 'channel_code'] as const;
export type ProductText = (typeof PRODUCT_TEXTS)[number];

export interface ProductRecord extends Record<ProductText, string> {
  path: string;
  id: number;
  machine_no: string;
  name: string;
  category: string | null;
  price_cents: number;
  original_price_cents: number;
  capacity: number;
  inventory: number;
  cabinet_name: string;
  channel_x: number;
  channel_y: number;
  channel_addr: string;
  on_sale: Flag;
  floor_type: number;
  has_lift: Flag;
  drop_detection: Flag;
}

export interface CodeRecord {
  path: string;
  id: number;
  machine_no: string;
  product_id: number;
  code: string;
  status: CodeStatus;
  expired_at: number | null;
  created_at: number;
  used_at: number | null;
  cancelled_at: number | null;
}

/** A code's status as the file may give it: the stored ones, and EXPIRED as the API answers it. */
const FILE_STATUSES: readonly string[] = ['UNUSED', 'USED', 'CANCELLED', 'EXPIRED'];
export function readMerchant(reader: RecordReader): MerchantRecord {
  const appid = reader.text('appid', { required: true });
  if (appid && !isAppid(appid)) reader.problem('appid', 'must be 1 to 64 letters, digits, _ or -');
  const webhookSecret = reader.text('webhook_secret');
  const webhookUrl = reader.text('webhook_url');
  // As `merchant set --webhook-url` checks it; the sender checks the address again when it resolves.
  const refused = webhookUrl ? refusedCallbackUrl(webhookUrl, true) : undefined;
  if (refused) reader.problem('webhook_url', `refused: ${refused}`);
  return {
    path: reader.path,
    id: reader.id('merchant_id'),
    name: reader.text('name', { required: true }).trim(),
    appid,
    app_secret_hash: reader.secretHash('app_secret'),
    verified: reader.flag('verified', 1),
    require_nonce: reader.flag('require_nonce', 0),
    webhook_url: webhookUrl || null,
    webhook_secret: webhookSecret || null,
  };
}

export function readMachine(reader: RecordReader): MachineRecord {
  const machineNo = reader.text('machine_no', { required: true });
  if (machineNo && !isMachineNo(machineNo)) reader.problem('machine_no', 'must be 8 to 32 digits');
  let timeZone = reader.text('time_zone', { fallback: DEFAULT_TIME_ZONE });
  try {
    assertTimeZone(timeZone);
  } catch {
    reader.problem('time_zone', `unknown time zone: ${timeZone}`);
    // The machine's times are still read (to list their problems too), in the default zone.
    timeZone = DEFAULT_TIME_ZONE;
  }
  const texts = Object.fromEntries(MACHINE_TEXTS.map((field) => [field, reader.text(field)])) as Record<MachineText, string>;
  return {
    ...texts,
    cabinet_names: texts.cabinet_names || 'A',
    currency_code: texts.currency_code || 'CNY',
    path: reader.path,
    id: reader.id('id'),
    merchant_id: reader.id('merchant_id'),
    machine_no: machineNo,
    // machines.md always sends a name, so a machine never has an empty one.
    name: reader.text('name').trim() || `Machine ${machineNo}`,
    mqtt_password_hash: reader.secretHash('mqtt_password'),
    pickup_codes_enabled: reader.flag('pickup_codes', 0),
    operating: reader.flag('operating', 1),
    time_zone: timeZone,
    created_at: reader.wallTime('created_at', timeZone, true),
  };
}

export function readProduct(reader: RecordReader): ProductRecord {
  const name = reader.text('name', { required: true }).trim();
  const capacity = reader.integer('capacity', 1, 1_000_000);
  if (!isCapacity(capacity)) reader.problem('capacity', 'must be a positive integer');
  const inventory = reader.integer('current_inventory', 0, 1_000_000);
  if (!reader.failed('capacity') && !reader.failed('current_inventory') && !isInventoryWithin(inventory, capacity)) reader.problem('current_inventory', 'must be an integer from 0 to the capacity');
  const cabinet = reader.text('cabinet_name', { fallback: 'A' });
  if (!isCabinetName(cabinet)) reader.problem('cabinet_name', 'must be one letter from A to Z');
  const floorType = reader.integer('floor_type', 0, 3, 0);
  if (floorType !== 0 && !isFloorType(floorType)) reader.problem('floor_type', 'must be 1 (motor), 2 (electronic lock) or 3 (belt)');
  const price = reader.cents('price');
  const texts = Object.fromEntries(PRODUCT_TEXTS.map((field) => [field, reader.text(field)])) as Record<ProductText, string>;
  return {
    ...texts,
    // The CLI's --channel names both; a file that gives only the code means the same.
    channel_name: texts.channel_name || texts.channel_code,
    path: reader.path,
    id: reader.id('id'),
    machine_no: reader.text('machine_no', { required: true }),
    name,
    category: reader.text('category') || null,
    price_cents: price,
    original_price_cents: reader.cents('original_price', price),
    capacity,
    inventory,
    cabinet_name: cabinet,
    channel_x: reader.integer('x', 0, 1000, 0),
    channel_y: reader.integer('y', 0, 1000, 0),
    channel_addr: reader.has('addr') ? String(reader.integer('addr', 1, 8)) : '',
    on_sale: reader.flag('on_sale', 1),
    floor_type: floorType,
    has_lift: reader.flag('has_lift', 0),
    drop_detection: reader.flag('drop_detection', 0),
  };
}

/** A pickup code; its times are read in its machine's zone (undefined when the machine is not in the file). */
export function readCode(reader: RecordReader, timeZoneOf: (machineNo: string) => string | undefined): CodeRecord {
  const machineNo = reader.text('machine_no', { required: true });
  const timeZone = timeZoneOf(machineNo) ?? DEFAULT_TIME_ZONE;
  const code = reader.text('code', { required: true });
  if (code && !isPickupCode(code)) reader.problem('code', 'must be 6 to 10 digits');
  const given = reader.text('status', { fallback: 'UNUSED' });
  if (!FILE_STATUSES.includes(given)) reader.problem('status', `must be one of ${FILE_STATUSES.join(', ')}`);
  // The original answers EXPIRED for an UNUSED code past its expiry; stored, it is that UNUSED code.
  const status = (given === 'EXPIRED' ? 'UNUSED' : given) as CodeStatus;
  const usedAt = reader.wallTime('used_at', timeZone, true);
  const cancelledAt = reader.wallTime('cancelled_at', timeZone, true);
  const createdAt = reader.wallTime('created_at', timeZone, false) ?? 0;
  const expiredAt = reader.wallTime('expired_at', timeZone, true);
  if (status === 'USED' && usedAt === null) reader.problem('used_at', 'is required for a USED code');
  if (status === 'CANCELLED' && cancelledAt === null) reader.problem('cancelled_at', 'is required for a CANCELLED code');
  if (given === 'EXPIRED' && expiredAt === null) reader.problem('expired_at', 'is required for an EXPIRED code');
  return {
    path: reader.path,
    id: reader.id('id'),
    machine_no: machineNo,
    product_id: reader.id('product_id'),
    code,
    status,
    expired_at: expiredAt,
    created_at: createdAt,
    used_at: status === 'USED' ? usedAt : null,
    cancelled_at: status === 'CANCELLED' ? cancelledAt : null,
  };
}
