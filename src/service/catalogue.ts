/** Reads of machines, products and pickup codes, scoped to the asking merchant. */
import { formatCents } from '../domain/money.js';
import type { CodeStatusFilter } from '../protocol/code-status.js';
import { formatWallTime } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as ownedCodes from '../store/repositories/owned-codes.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import { Refused } from './refused.js';
import { channelPosition, CURRENCIES, machineTypeView, page, pickupCodeView, type Clock } from './views.js';

export async function listMachines(db: Executor, merchantId: number, timeZone: string) {
  const fleet = await machines.listOfMerchant(db, merchantId);
  if (fleet.length === 0) throw new Refused({ refused: 'no-machine' });
  return fleet.map((machine) => ({
    machine_name: machine.name,
    machine_no: machine.machine_no,
    is_online: machine.is_online === 1,
    status: machine.operating === 1,
    address: machine.address,
    notify_message: machine.notify_message,
    lng_lat: machine.lng_lat,
    created_at: formatWallTime(machine.created_at, timeZone),
    contact: machine.contact,
    tel: machine.tel,
  }));
}

/** The details of the merchant's machine that the route found (machine.md); one removed meanwhile is not found. */
export async function describeMachine(db: Executor, owned: MachineRef) {
  const machine = await machines.findOfMerchant(db, owned.merchant_id, owned.machine_no);
  if (!machine) throw new Refused({ refused: 'machine-not-found' });
  const categories = await products.categoriesOfMachine(db, machine.id);
  return {
    machine_name: machine.name,
    address: machine.address,
    lng_lat: machine.lng_lat,
    is_online: machine.is_online === 1,
    model: { cabinet_names: machine.cabinet_names.split(',').filter(Boolean) },
    machine_type: machineTypeView(machine.machine_type),
    categories,
    currency: CURRENCIES[machine.currency_code] ?? CURRENCIES.CNY,
  };
}

export interface ProductFilter {
  page: number;
  perPage: number;
  categoryId: number;
  cabinetName: string;
  selectAll: boolean;
}

export async function listProducts(db: Executor, machine: MachineRef, filter: ProductFilter) {
  const total = await products.countOfMachine(db, machine.id, filter);
  // select_all=1 asks for every product on one page.
  const perPage = filter.selectAll ? Math.max(1, total) : filter.perPage;
  const currentPage = filter.selectAll ? 1 : filter.page;
  const rows = await products.pageOfMachine(db, machine.id, filter, perPage, (currentPage - 1) * perPage);
  const items = rows.map((product) => ({
    id: product.id,
    category: product.category_id === null ? null : { id: product.category_id, title: product.category_title },
    good: {
      name: product.name,
      description: product.description,
      thumb: product.thumb,
      price: formatCents(product.price_cents),
      original_price: formatCents(product.original_price_cents),
      content: product.content,
      good_no: product.good_no,
      slug: product.slug,
    },
    channel: {
      name: product.channel_name,
      cabinet_name: product.cabinet_name,
      code: product.channel_code,
      ...channelPosition(product),
    },
    current_inventory: product.inventory,
    inventory: product.capacity,
    on_sale: product.on_sale === 1,
  }));
  if (items.length === 0 && total === 0) return [];
  return page(items, total, currentPage, perPage);
}

/**
 * The product's live codes (UNUSED and unexpired), ascending id: the original's query, on the
 * merchant's machine the route found. One statement finds the product and its codes (the hot
 * read path, issue 13) through the machine's number and merchant, which stays the last line
 * of defence: a machine removed meanwhile is not found, a product not on it is refused.
 */
export async function listProductPickupCodes(db: Executor, machine: MachineRef, productId: number, clock: Clock) {
  const live = await ownedCodes.liveOfOwnedProduct(db, machine.merchant_id, machine.machine_no, productId, clock.now);
  if (live === 'machine-not-found' || live === 'product-not-found') throw new Refused({ refused: live });
  return live.map((code) => {
    const { id, code: digits, status, created_at, expired_at, quantity } = pickupCodeView(code, clock);
    return { id, code: digits, status, created_at, expired_at, quantity };
  });
}

export interface CodeQuery {
  productId?: number | undefined;
  status: CodeStatusFilter;
  /** Codes starting with these digits (search by code). */
  codePrefix?: string | undefined;
  page: number;
  perPage: number;
  /** Extension: the codes after this id (keyset paging); `page` is then 1. */
  afterId?: number | undefined;
}

/**
 * The most codes the machine-wide query counts for its `total`. Counting walks every
 * matching row, so past this the answer says `total_capped` rather than count a million
 * rows on every page; at this size the count costs about what the page itself does.
 */
export const CODE_TOTAL_CAP = 1000;

/** Extension: every code of a machine, filtered and paged, without iterating products. */
export async function queryMachinePickupCodes(db: Executor, machine: MachineRef, filter: CodeQuery, clock: Clock) {
  const asked = { productId: filter.productId, codePrefix: filter.codePrefix, status: filter.status, now: clock.now };
  const counted = await codes.countOfMachine(db, machine.id, asked, CODE_TOTAL_CAP + 1);
  const capped = counted > CODE_TOTAL_CAP;
  const rows = await codes.pageOfMachine(db, machine.id, asked, filter.perPage, { offset: (filter.page - 1) * filter.perPage, afterId: filter.afterId });
  const last = rows.at(-1);
  return {
    ...page(
      rows.map((code) => pickupCodeView(code, clock)),
      capped ? CODE_TOTAL_CAP : counted,
      filter.page,
      filter.perPage,
    ),
    // A full page may have more after it; the cursor for the next one is its last id.
    ...(last && rows.length === filter.perPage ? { next_after_id: last.id } : {}),
    ...(capped ? { total_capped: true } : {}),
  };
}
