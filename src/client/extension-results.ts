/**
 * What the SDK's methods for the console's extensions return (the fleet at a glance, live
 * codes per product, a code's life), read from the wire with the same rules as results.ts:
 * a missing flag is false, a missing count 0, times become Dates.
 */
import { clean, list, type PickupCode, type PickupCodeStatus, type PickupOrder, type WireReader } from './results.js';

export interface MachineOverview {
  machineNo: string;
  machineName?: string;
  isOnline: boolean;
  /** In operation. */
  operating: boolean;
  pickupCodesEnabled: boolean;
  /** When the machine last said anything (heartbeat or report); absent if never. */
  lastSeenAt?: Date;
  /** UNUSED, unexpired codes. */
  liveCodes: number;
  /** The last heartbeat's network type (e.g. `4G`) and signal (e.g. `-67`), as the machine sent them. */
  networkType?: string;
  networkRssi?: string;
  /** Which messages the machine gets: `original` (the docs' only) or `extended` (docs/mqtt.md). */
  linkProfile: 'original' | 'extended';
}

export interface LiveCodeCount {
  productId: number;
  liveCodes: number;
}

/** One change of a code, as its history row recorded it. */
export interface PickupCodeEvent {
  at?: Date;
  /** `create`, `cancel`, `consume` (through the API), `redeem` (reported by the machine) or `conflict` (a redemption at the machine that met a code used, cancelled or expired). */
  action: string;
  fromStatus?: PickupCodeStatus;
  toStatus: PickupCodeStatus;
  /** `merchant:<id>`, `machine:<machine_no>` or `admin`. */
  actor: string;
  /** The x-request-id of the API request that made the change. */
  requestId?: string;
  detail?: string;
}

/** A message that carried one of the code's changes to its machine. */
export interface MachinePush {
  /** e.g. `client.pickup_codes.create`, or `client.pickup_codes.sync` for the whole list. */
  method: string;
  queuedAt?: Date;
  /** Absent while the machine has not been reached. */
  sentAt?: Date;
}

export interface PickupCodeHistory {
  code: PickupCode;
  events: PickupCodeEvent[];
  pushes: MachinePush[];
  /** The order that spent the code, once used. */
  order?: PickupOrder;
}

type Wire = Record<string, any>;

export function readMachineOverview(read: WireReader, w: Wire): MachineOverview {
  return clean({
    machineNo: w.machine_no,
    machineName: w.machine_name,
    isOnline: w.is_online === true,
    operating: w.status === true,
    pickupCodesEnabled: w.pickup_codes_enabled === true,
    lastSeenAt: read.date(w.last_seen_at),
    liveCodes: w.live_codes ?? 0,
    networkType: w.network_type,
    networkRssi: w.network_rssi,
    linkProfile: w.link_profile,
  });
}

export function readLiveCodeCount(w: Wire): LiveCodeCount {
  return { productId: w.product_id, liveCodes: w.live_codes ?? 0 };
}

export function readPickupCodeHistory(read: WireReader, w: Wire): PickupCodeHistory {
  return clean({
    code: read.pickupCode(w.code ?? {}),
    events: list(w.events).map((event) =>
      clean({
        at: read.date(event.at),
        action: event.action,
        fromStatus: event.from_status,
        toStatus: event.to_status,
        actor: event.actor,
        requestId: event.request_id,
        detail: event.detail,
      }),
    ),
    pushes: list(w.pushes).map((push) => clean({ method: push.method, queuedAt: read.date(push.queued_at), sentAt: read.date(push.sent_at) })),
    order: w.order ? read.order(w.order) : undefined,
  });
}

/** A product's stock and sale state after a change of stock (extension `PUT /products`). */
export interface ProductStock {
  productId: number;
  inventory: number;
  onSale: boolean;
}

export function readProductStock(data: unknown): ProductStock[] {
  return list((data as { products?: unknown })?.products).map((w: Wire) => ({ productId: w.id, inventory: w.inventory ?? 0, onSale: w.on_sale === true }));
}
