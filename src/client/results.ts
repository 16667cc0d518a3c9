/**
 * What the SDK's methods return, and how the server's wire shapes (PROTOCOL.md §6)
 * become them. The server leaves out fields that are null, false or empty (a habit of
 * the original): here a missing flag reads as `false`, a missing list as `[]`, and a
 * missing text or time stays `undefined`. Times become `Date`s.
 */
import type { VisibleStatus } from '../domain/pickup-codes.js';
import type { CodeStatusFilter } from '../service/catalogue.js';
import { parseWallTime } from '../protocol/time.js';

export type PickupCodeStatus = VisibleStatus;
export type PickupCodeStatusFilter = CodeStatusFilter;

export interface Page<T> {
  data: T[];
  total: number;
  currentPage: number;
  lastPage: number;
  perPage: number;
}

export interface MachineSummary {
  machineNo: string;
  machineName?: string;
  isOnline: boolean;
  /** 1 in operation, 0 not. */
  status?: number;
  address?: string;
  notifyMessage?: string;
  lngLat?: string;
  createdAt?: Date;
  contact?: string;
  tel?: string;
}

export interface MachineDetail {
  machineName?: string;
  address?: string;
  lngLat?: string;
  isOnline: boolean;
  cabinetNames: string[];
  machineType?: string;
  categories: Array<{ id: number; title: string }>;
  currency?: { id: number; name: string; code: string; symbol: string };
}

export interface Product {
  id: number;
  category?: { id: number; title?: string };
  good: {
    name?: string;
    description?: string;
    thumb?: string;
    /** Decimal text with two places, e.g. "3.50". */
    price?: string;
    originalPrice?: string;
    content?: string;
    goodNo?: string;
    slug?: string;
  };
  channel: { name?: string; cabinetName?: string; code?: string; x?: number; y?: number; addr?: string };
  /** Items in the slot now. */
  currentInventory: number;
  /** The slot's capacity. */
  inventory: number;
  /** Extension: whether the product is on sale. */
  onSale: boolean;
}

export interface PickupCode {
  id: number;
  productId: number;
  /** The digits a customer types. */
  code: string;
  status: PickupCodeStatus;
  createdAt?: Date;
  /** Absent for a code that never expires. */
  expiredAt?: Date;
  quantity: number;
  /** Extension fields, present in `queryPickupCodes` results when they apply. */
  usedAt?: Date;
  orderId?: number;
  cancelledAt?: Date;
}

export interface PickupOrder {
  orderId: number;
  tradeId?: string;
  date?: Date;
  /** Decimal text, e.g. "3.50". */
  amount?: string;
  status: 'PICKUPCODE';
  records: Array<{ id: number; productId: number; quantity: number; price?: string; status?: string }>;
  pickupCodeId: number;
}

/** A wire object: any field may be missing. */
type Wire = Record<string, any>;

/** Reads the server's wall times back into instants; the zone must be the server's platform zone. */
export class WireReader {
  constructor(private readonly timeZone: string) {}

  date(text: unknown): Date | undefined {
    if (typeof text !== 'string') return undefined;
    const seconds = parseWallTime(text, this.timeZone);
    return seconds === undefined ? undefined : new Date(seconds * 1000);
  }

  page<T>(wire: unknown, item: (w: Wire) => T, perPage: number): Page<T> {
    // The original answers `[]` instead of a page when there is nothing at all.
    if (Array.isArray(wire) || !isWire(wire)) return { data: [], total: 0, currentPage: 1, lastPage: 1, perPage };
    return {
      data: list(wire.data).map(item),
      total: wire.total ?? 0,
      currentPage: wire.current_page ?? 1,
      lastPage: wire.last_page ?? 1,
      perPage: wire.per_page ?? perPage,
    };
  }

  machineSummary = (w: Wire): MachineSummary =>
    clean({
      machineNo: w.machine_no,
      machineName: w.machine_name,
      isOnline: w.is_online === true,
      status: w.status,
      address: w.address,
      notifyMessage: w.notify_message,
      lngLat: w.lng_lat,
      createdAt: this.date(w.created_at),
      contact: w.contact,
      tel: w.tel,
    });

  machineDetail = (w: Wire): MachineDetail =>
    clean({
      machineName: w.machine_name,
      address: w.address,
      lngLat: w.lng_lat,
      isOnline: w.is_online === true,
      cabinetNames: list<string>(w.model?.cabinet_names),
      machineType: w.machine_type,
      categories: list(w.categories).map((c) => clean({ id: c.id, title: c.title })),
      currency: w.currency,
    });

  product = (w: Wire): Product => {
    const good: Wire = w.good ?? {};
    const channel: Wire = w.channel ?? {};
    return clean({
      id: w.id,
      category: w.category ? clean({ id: w.category.id, title: w.category.title }) : undefined,
      good: clean({
        name: good.name,
        description: good.description,
        thumb: good.thumb,
        price: good.price,
        originalPrice: good.original_price,
        content: good.content,
        goodNo: good.good_no,
        slug: good.slug,
      }),
      channel: clean({ name: channel.name, cabinetName: channel.cabinet_name, code: channel.code, x: channel.x, y: channel.y, addr: channel.addr }),
      currentInventory: w.current_inventory ?? 0,
      inventory: w.inventory ?? 0,
      onSale: w.on_sale === true,
    });
  };

  /** `productId` fills in for the per-product query, whose items do not repeat it. */
  pickupCode = (w: Wire, productId?: number): PickupCode =>
    clean({
      id: w.id,
      productId: w.product_id ?? productId,
      code: w.code,
      status: w.status,
      createdAt: this.date(w.created_at),
      expiredAt: this.date(w.expired_at),
      quantity: w.quantity ?? 1,
      usedAt: this.date(w.used_at),
      orderId: w.order_id,
      cancelledAt: this.date(w.cancelled_at),
    });

  order = (w: Wire): PickupOrder =>
    clean({
      orderId: w.order_id,
      tradeId: w.trade_id,
      date: this.date(w.date),
      amount: w.amount,
      status: w.status,
      records: list(w.records).map((r) =>
        clean({ id: r.id, productId: r.product_id, quantity: r.quantity ?? 1, price: r.price, status: r.status }),
      ),
      pickupCodeId: w.pickup_code_id,
    });
}

export function list<T = Wire>(value: unknown): T[] {
  return Array.isArray(value) ? value : [];
}

function isWire(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null;
}

/** Drops undefined members, so results print and compare without `key: undefined` noise. */
export function clean<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
