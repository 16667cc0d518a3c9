/** Reads of machines, products and pickup codes, scoped to the asking merchant. */
import { formatCents } from '../domain/money.js';
import type { CodeStatusFilter } from '../protocol/code-status.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { formatWallTime } from '../protocol/time.js';
import type { MachineRef } from './context.js';
import { preparedQuery } from '../store/prepared.js';
import { liveAt, type ReadDb } from './pickup-codes.js';
import { channelPosition, CURRENCIES, machineTypeView, page, pickupCodeView, type Clock } from './views.js';

/**
 * The merchant's machine with that number. Another merchant's machine answers exactly
 * like a missing one (30003), so machine numbers of others cannot be probed.
 */
const ownedMachine = preparedQuery((db, machineNo: string, merchantId: number) =>
  db
    .selectFrom('machines')
    .select(['id', 'machine_no', 'time_zone', 'merchant_id', 'pickup_codes_enabled', 'operating'])
    .where('machine_no', '=', machineNo)
    .where('merchant_id', '=', merchantId),
);

export async function findOwnedMachine(db: ReadDb, merchantId: number, machineNo: string): Promise<MachineRef> {
  const [machine] = await ownedMachine(db, machineNo, merchantId);
  if (!machine) throw new ApiError(ErrorCode.MACHINE_NOT_FOUND);
  return machine;
}

export async function listMachines(db: ReadDb, merchantId: number, timeZone: string) {
  const machines = await db.selectFrom('machines').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute();
  if (machines.length === 0) throw new ApiError(ErrorCode.NO_MACHINE);
  return machines.map((machine) => ({
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

export async function describeMachine(db: ReadDb, merchantId: number, machineNo: string) {
  const machine = await db
    .selectFrom('machines')
    .selectAll()
    .where('machine_no', '=', machineNo)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  if (!machine) throw new ApiError(ErrorCode.MACHINE_NOT_FOUND);
  const categories = await db
    .selectFrom('categories')
    .select(['id', 'title'])
    .where('id', 'in', (eb) => eb.selectFrom('products').select('category_id').where('machine_id', '=', machine.id).where('category_id', 'is not', null).$narrowType<{ category_id: number }>())
    .orderBy('id')
    .execute();
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

export async function listProducts(db: ReadDb, machine: MachineRef, filter: ProductFilter) {
  let query = db
    .selectFrom('products')
    .leftJoin('categories', 'categories.id', 'products.category_id')
    .where('products.machine_id', '=', machine.id)
    .where('products.cabinet_name', '=', filter.cabinetName);
  if (filter.categoryId !== 0) query = query.where('products.category_id', '=', filter.categoryId);
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  // select_all=1 asks for every product on one page.
  const perPage = filter.selectAll ? Math.max(1, Number(total)) : filter.perPage;
  const currentPage = filter.selectAll ? 1 : filter.page;
  const rows = await query
    .selectAll('products')
    .select(['categories.title as category_title'])
    .orderBy('products.id')
    .limit(perPage)
    .offset((currentPage - 1) * perPage)
    .execute();
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
  if (items.length === 0 && Number(total) === 0) return [];
  return page(items, Number(total), currentPage, perPage);
}

const machineProduct = preparedQuery((db, productId: number, machineId: number) =>
  db.selectFrom('products').select('id').where('id', '=', productId).where('machine_id', '=', machineId),
);

const liveCodesOfProduct = preparedQuery((db, productId: number, now: number) =>
  db
    .selectFrom('pickup_codes')
    .selectAll()
    .where('product_id', '=', productId)
    .where(liveAt(now))
    .orderBy('id'),
);

/** The product's live codes (UNUSED and unexpired), ascending id: the original's query. */
export async function listProductPickupCodes(db: ReadDb, machine: MachineRef, productId: number, clock: Clock) {
  const [product] = await machineProduct(db, productId, machine.id);
  if (!product) throw new ApiError(ErrorCode.PRODUCT_NOT_FOUND);
  const codes = await liveCodesOfProduct(db, productId, clock.now);
  return codes.map((code) => {
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
}

/** Extension: every code of a machine, filtered and paged, without iterating products. */
export async function queryMachinePickupCodes(db: ReadDb, machine: MachineRef, filter: CodeQuery, clock: Clock) {
  let query = db.selectFrom('pickup_codes').where('machine_id', '=', machine.id);
  if (filter.productId !== undefined) query = query.where('product_id', '=', filter.productId);
  // Digits only (fields.ts), so the prefix holds no LIKE wildcard.
  if (filter.codePrefix !== undefined) query = query.where('code', 'like', `${filter.codePrefix}%`);
  switch (filter.status) {
    case 'UNUSED':
      query = query.where(liveAt(clock.now));
      break;
    case 'EXPIRED':
      query = query.where('status', '=', 'UNUSED').where('expired_at', '<=', clock.now);
      break;
    case 'USED':
    case 'CANCELLED':
      query = query.where('status', '=', filter.status);
      break;
    case 'ALL':
      break;
  }
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const codes = await query
    .selectAll()
    .orderBy('id')
    .limit(filter.perPage)
    .offset((filter.page - 1) * filter.perPage)
    .execute();
  return page(
    codes.map((code) => pickupCodeView(code, clock)),
    Number(total),
    filter.page,
    filter.perPage,
  );
}

