/**
 * What the SDK's methods return, and how the server's wire shapes (protocol/responses.ts)
 * become them. The server leaves out zero values (null, false, 0, empty texts and lists; a
 * habit of the original): here a missing flag reads as `false`, a missing list as `[]`, a
 * missing count as 0, and a missing text or time stays `undefined`. Times become `Date`s.
 */
import type { CodeStatusFilter, VisibleStatus } from '../protocol/code-status.js';
import { parseWallTime } from '../protocol/time.js';

export type PickupCodeStatus = VisibleStatus;
export type PickupCodeStatusFilter = CodeStatusFilter;

export interface Page<T> {
  data: T[];
  total: number;
  currentPage: number;
  lastPage: number;
  perPage: number;
  /** Machine-wide code query only: the `afterId` of the next page, when this one was full. */
  nextAfterId?: number;
  /** Machine-wide code query only: `total` stopped counting at its cap; there are more. */
  totalCapped?: boolean;
}

export interface MachineSummary {
  machineNo: string;
  machineName?: string;
  isOnline: boolean;
  /** In operation. */
  status: boolean;
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
  /** 1 vending machine, 2 amusement, 3 claw, 4 lending locker, 5 return locker, 6 locker. */
  machineType?: number;
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
  /** Row `x` and column `y` from 0 (texts on the wire), driver board `addr` from 1. */
  channel: { name?: string; cabinetName?: string; code?: string; x?: number; y?: number; addr?: number };
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
  /** The order's day: the wire carries only the day (YYYY-MM-DD), read as its first instant in the platform zone. */
  date?: Date;
  /** Decimal text, e.g. "3.50". */
  amount?: string;
  status: 'PICKUPCODE';
  /** `status` in the original's words: 未取货 (not picked up), 已取货 (picked up), 订单取消 (cancelled). */
  records: Array<{ id: number; productId: number; quantity: number; price?: string; status?: string; notifySent: boolean }>;
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

  /** A day `YYYY-MM-DD`, as its first instant in the platform zone. */
  day(text: unknown): Date | undefined {
    return typeof text === 'string' ? this.date(`${text} 00:00:00`) : undefined;
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
      ...(typeof wire.next_after_id === 'number' ? { nextAfterId: wire.next_after_id } : {}),
      ...(wire.total_capped === true ? { totalCapped: true } : {}),
    };
  }

  machineSummary = (w: Wire): MachineSummary =>
    clean({
      machineNo: w.machine_no,
      machineName: w.machine_name,
      isOnline: w.is_online === true,
      status: w.status === true,
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
      channel: clean({
        name: channel.name,
        cabinetName: channel.cabinet_name,
        code: channel.code,
        x: numberOf(channel.x),
        y: numberOf(channel.y),
        addr: channel.addr,
      }),
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
      date: this.day(w.date),
      amount: w.amount,
      status: w.status,
      records: list(w.records).map((r) =>
        clean({ id: r.id, productId: r.product_id, quantity: r.quantity ?? 1, price: r.price, status: r.status, notifySent: r.notify_sent === '1' }),
      ),
      pickupCodeId: w.pickup_code_id,
    });
}

export function list<T = Wire>(value: unknown): T[] {
  return Array.isArray(value) ? value : [];
}

/** A number sent as text ("2"); absent stays absent. */
function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function isWire(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null;
}

/** Drops undefined members, so results print and compare without `key: undefined` noise. */
export function clean<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
