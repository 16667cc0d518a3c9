/**
 * Pickup codes (pickup_code_*.md): create, list a product's live codes, query a machine's
 * codes (extension), cancel one, all, a list of ids or every code of a product (the last
 * two are extensions), each answered as the docs' field tables say (protocol/responses.ts).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CODE_LENGTH } from '../../domain/pickup-codes.js';
import { idField } from '../../domain/fields.js';
import { CODE_STATUS_FILTERS } from '../../protocol/code-status.js';
import { METHOD } from '../../protocol/endpoints.js';
import { FIELD, needs, PAGING_FIELDS, takes } from '../../protocol/request-fields.js';
import { invalidField } from '../../protocol/errors.js';
import { listProductPickupCodes, queryMachinePickupCodes, type CodeQuery } from '../../service/catalogue.js';
import {
  cancelAllPickupCodes,
  cancelPickupCode,
  cancelPickupCodesByIds,
  cancelProductPickupCodes,
  createPickupCodes,
  createPickupCodesForAllProducts,
} from '../../service/pickup-codes.js';
import { pickupCodeView } from '../../service/views.js';
import type { MachineRef } from '../../store/repositories/machines.repository.js';
import type { Work } from '../../store/store.js';
import { methodOf, registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { mapInSlices } from '../reply.js';

/** At most this many ids in one `pickup_code.delete.ids`: a bounded transaction, far above any order's codes. */
export const MAX_CANCEL_IDS = 1000;

/**
 * `ids` of `pickup_code.delete.ids`: a comma-separated text (`1,2,3`), which every signing
 * form signs as it is (a nested list would be signed three different ways). Each a positive
 * id, none twice, at most MAX_CANCEL_IDS.
 */
export function cancelIdsField(text: string): number[] {
  const parts = text.split(',');
  if (parts.length > MAX_CANCEL_IDS) throw invalidField('ids', `must list at most ${MAX_CANCEL_IDS} ids`);
  const ids = parts.map((part) => idField('ids', part.trim()));
  if (new Set(ids).size !== ids.length) throw invalidField('ids', 'must not name an id twice');
  return ids;
}

const CREATE_METHODS = [METHOD.CREATE_FOR_PRODUCT, METHOD.CREATE_FOR_ALL_PRODUCTS] as const;
const CANCEL_METHODS = [METHOD.CANCEL_ONE, METHOD.CANCEL_ALL, METHOD.CANCEL_IDS, METHOD.CANCEL_PRODUCT] as const;

const CREATE_FIELDS = {
  method: needs(FIELD.oneOf(CREATE_METHODS)),
  machine_no: needs(FIELD.machineNo),
  product_id: needs(FIELD.id, { methods: [METHOD.CREATE_FOR_PRODUCT] }),
  count: takes(FIELD.integer(1, 1_000_000), { methods: [METHOD.CREATE_FOR_PRODUCT], description: 'default 1' }),
  code_length: takes(FIELD.integer(CODE_LENGTH.min, CODE_LENGTH.max), { description: `digits of each code, default ${CODE_LENGTH.default}` }),
  expired_at: takes(FIELD.wallTime, { description: 'in the platform time zone, in the future; absent: never expires' }),
};

const CANCEL_FIELDS = {
  method: needs(FIELD.oneOf(CANCEL_METHODS)),
  machine_no: needs(FIELD.machineNo),
  id: needs(FIELD.id, { methods: [METHOD.CANCEL_ONE], description: 'the code' }),
  ids: needs(FIELD.idList, { methods: [METHOD.CANCEL_IDS], extension: true, description: `comma-separated code ids, at most ${MAX_CANCEL_IDS}, all or none` }),
  product_id: needs(FIELD.id, { methods: [METHOD.CANCEL_PRODUCT], extension: true, description: "every live code of this product" }),
};

const QUERY_FIELDS = {
  machine_no: needs(FIELD.machineNo),
  product_id: takes(FIELD.id),
  status: takes(FIELD.oneOf(CODE_STATUS_FILTERS), { description: 'default UNUSED' }),
  code: takes(FIELD.codePrefix, { description: 'codes starting with these digits' }),
  ...PAGING_FIELDS,
  after_id: takes(FIELD.id, { description: 'keyset cursor: the page after this id (not with page)' }),
};

/** The machine-wide query's filter and paging: `page`/`per_page`, or the keyset cursor `after_id` (extension). */
function codeQueryOf(p: FastifyRequest['payload']): CodeQuery {
  const filter = {
    productId: p.optionalId('product_id'),
    status: p.oneOf('status', CODE_STATUS_FILTERS, 'UNUSED'),
    codePrefix: p.optionalCodePrefix(),
    ...p.paging(),
    afterId: p.optionalId('after_id'),
  };
  if (filter.afterId !== undefined && filter.page !== 1) throw invalidField('after_id', 'cannot be combined with page: the cursor already says where the page starts');
  return filter;
}

/** Creating codes: the fields, then, on the merchant's machine, the codes made. */
function create(request: FastifyRequest, timeZone: string) {
  const p = request.payload;
  const method = methodOf(request, CREATE_METHODS);
  const options = {
    codeLength: p.integer('code_length', { min: CODE_LENGTH.min, max: CODE_LENGTH.max, fallback: CODE_LENGTH.default }),
    expiredAt: p.futureWallTime('expired_at', timeZone, request.now),
    liveCodesLimit: request.merchant.live_codes_limit,
  };
  const forProduct =
    method === METHOD.CREATE_FOR_PRODUCT ? { productId: p.id('product_id'), count: p.integer('count', { min: 1, max: 1_000_000, fallback: 1 }) } : undefined;
  return async (work: Work, machine: MachineRef) => {
    const codes = forProduct
      ? await createPickupCodes(work, machine, forProduct.productId, forProduct.count, options)
      : await createPickupCodesForAllProducts(work, machine, options);
    return {
      codes: await mapInSlices(codes, (code) => {
        const { id, product_id, code: digits, status, created_at, expired_at, quantity } = pickupCodeView(code, { now: request.now, timeZone });
        return { id, product_id, code: digits, status, created_at, expired_at, quantity };
      }),
    };
  };
}

/** Cancelling codes: every field is read before the machine is looked up and anything changes. */
function cancel(request: FastifyRequest) {
  const p = request.payload;
  const method = methodOf(request, CANCEL_METHODS);
  const codeId = method === METHOD.CANCEL_ONE ? p.id('id') : undefined;
  const ids = method === METHOD.CANCEL_IDS ? cancelIdsField(p.text('ids')) : undefined;
  const productId = method === METHOD.CANCEL_PRODUCT ? p.id('product_id') : undefined;
  return async (work: Work, machine: MachineRef) => {
    if (codeId !== undefined) {
      await cancelPickupCode(work, machine, codeId);
      return {};
    }
    // Extensions answer the count; a count of 0 is a zero value and left out, as the docs' `{}`.
    if (ids !== undefined) return { count: await cancelPickupCodesByIds(work, machine, ids) };
    if (productId !== undefined) return { count: await cancelProductPickupCodes(work, machine, productId) };
    return { count: await cancelAllPickupCodes(work, machine) };
  };
}

export const pickupCodeRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  const clock = (now: number) => ({ now, timeZone: config.timeZone });
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/pickup_codes',
      summary: 'Create codes for a product or for every product (pickup_code_create.md)',
      fields: CREATE_FIELDS,
      signed: true,
      machine: true,
      refuses: ['disabled', 'product-not-found', 'off-sale', 'above-capacity', 'above-live-codes-limit', 'code-space-exhausted'],
      write: (request) => create(request, config.timeZone),
    },
    {
      method: 'POST',
      url: '/products/:product_id/pickup_code',
      summary: "A product's live codes (pickup_code_get.md)",
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      machine: true,
      refuses: ['product-not-found'],
      read: (request, params) => {
        const productId = idField('product_id', params.product_id ?? '');
        return (machine) => listProductPickupCodes(store.db, machine, productId, clock(request.now));
      },
    },
    {
      method: 'POST',
      url: '/pickup_codes/query',
      summary: "Every code of a machine by status, paged or by cursor",
      fields: QUERY_FIELDS,
      signed: true,
      machine: true,
      read: (request) => {
        const filter = codeQueryOf(request.payload);
        return (machine) => queryMachinePickupCodes(store.db, machine, filter, clock(request.now));
      },
    },
    {
      method: 'PUT',
      url: '/pickup_codes',
      summary: "Cancel one code, a list, a product's or all (pickup_code_delete.md)",
      fields: CANCEL_FIELDS,
      signed: true,
      machine: true,
      refuses: ['not-found', 'used', 'product-not-found'],
      write: cancel,
    },
  ]);
};
