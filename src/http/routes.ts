/**
 * The Open API's endpoints (PROTOCOL.md §6). Each route declares whether it is signed
 * and whether it changes state; the pipeline and idempotency are applied around it.
 */
import type { FastifyInstance, FastifyReply, HTTPMethods } from 'fastify';
import { CODE_LENGTH, METHOD } from '../domain/pickup-codes.js';
import { idField, machineNoField } from '../domain/fields.js';
import { CODE_STATUS_FILTERS } from '../protocol/code-status.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { omitEmpty, success } from '../protocol/envelope.js';
import {
  describeMachine,
  findOwnedMachine,
  listMachines,
  listProductPickupCodes,
  listProducts,
  queryMachinePickupCodes,
} from '../service/catalogue.js';
import type { MerchantDirectory } from '../service/merchants.js';
import type { ChangeContext } from '../service/context.js';
import {
  cancelAllPickupCodes,
  cancelPickupCode,
  consumePickupCode,
  createPickupCodes,
  createPickupCodesForAllProducts,
} from '../service/pickup-codes.js';
import { orderView, pickupCodeView } from '../service/views.js';
import type { Store, Tx } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import type { ServerConfig } from '../config.js';
import { authenticateMerchant, type MerchantRequest } from './merchant-auth.js';

export interface OpenApiDeps {
  store: Store;
  config: ServerConfig;
  merchants: MerchantDirectory;
  answers: AnsweredRequests;
  send: (reply: FastifyReply, httpStatus: number, apiCode: number, text: string) => FastifyReply;
}

type Params = Record<string, string>;

type Route = { method: 'POST' | 'PUT'; url: string } & (
  | { signed: boolean; read: (request: MerchantRequest, params: Params) => Promise<unknown> }
  | { signed: true; write: (request: MerchantRequest, trx: Tx, params: Params) => Promise<unknown> }
);

const ALL_METHODS: HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

/** `method` must be one the route takes: 10004 otherwise (missing included). */
function methodOf<T extends string>(request: MerchantRequest, allowed: readonly T[]): T {
  const method = request.payload.optionalText('method');
  if (method === undefined || !(allowed as readonly string[]).includes(method)) throw new ApiError(ErrorCode.METHOD_INVALID);
  return method as T;
}

export function registerOpenApi(app: FastifyInstance, deps: OpenApiDeps): void {
  const { config, store } = deps;
  const clock = (now: number) => ({ now, timeZone: config.timeZone });
  const changeContext = (request: MerchantRequest): ChangeContext => ({
    actor: { name: `merchant:${request.merchant.id}`, requestId: request.requestId },
    now: request.now,
    dialect: store.dialect,
  });

  const routes: Route[] = [
    {
      method: 'POST',
      url: '/ping',
      signed: false,
      read: async () => 'pong',
    },
    {
      method: 'POST',
      url: '/rent/machines',
      signed: false,
      read: async (request) => listMachines(store.db, request.merchant.id, config.timeZone),
    },
    {
      method: 'POST',
      url: '/rent/machines/:machine_no',
      signed: false,
      read: async (request, params) => {
        return describeMachine(store.db, request.merchant.id, machineNoField(params.machine_no ?? ''));
      },
    },
    {
      method: 'POST',
      url: '/products',
      signed: true,
      read: async (request) => {
        const p = request.payload;
        const machineNo = p.machineNo();
        const filter = {
          ...p.paging(),
          categoryId: p.integer('category_id', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
          cabinetName: p.optionalText('cabinet_name') ?? 'A',
          selectAll: p.oneOf('select_all', ['0', '1'], '0') === '1',
        };
        return listProducts(store.db, await findOwnedMachine(store.db, request.merchant.id, machineNo), filter);
      },
    },
    {
      method: 'POST',
      url: '/pickup_codes',
      signed: true,
      write: async (request, trx) => {
        const p = request.payload;
        const method = methodOf(request, [METHOD.CREATE_FOR_PRODUCT, METHOD.CREATE_FOR_ALL_PRODUCTS]);
        const machineNo = p.machineNo();
        const options = {
          codeLength: p.integer('code_length', { min: CODE_LENGTH.min, max: CODE_LENGTH.max, fallback: CODE_LENGTH.default }),
          expiredAt: p.futureWallTime('expired_at', config.timeZone, request.now),
        };
        const forProduct =
          method === METHOD.CREATE_FOR_PRODUCT
            ? { productId: p.id('product_id'), count: p.integer('count', { min: 1, max: 1_000_000, fallback: 1 }) }
            : undefined;
        const machine = await findOwnedMachine(trx, request.merchant.id, machineNo);
        const codes = forProduct
          ? await createPickupCodes(trx, changeContext(request), machine, forProduct.productId, forProduct.count, options)
          : await createPickupCodesForAllProducts(trx, changeContext(request), machine, options);
        return {
          codes: codes.map((code) => {
            const { id, product_id, code: digits, status, created_at, expired_at, quantity } = pickupCodeView(code, clock(request.now));
            return { id, product_id, code: digits, status, created_at, expired_at, quantity };
          }),
        };
      },
    },
    {
      method: 'POST',
      url: '/products/:product_id/pickup_code',
      signed: true,
      read: async (request, params) => {
        const machineNo = request.payload.machineNo();
        const productId = idField('product_id', params.product_id ?? '');
        const machine = await findOwnedMachine(store.db, request.merchant.id, machineNo);
        return listProductPickupCodes(store.db, machine, productId, clock(request.now));
      },
    },
    {
      method: 'POST',
      url: '/pickup_codes/query',
      signed: true,
      read: async (request) => {
        const p = request.payload;
        const machineNo = p.machineNo();
        const filter = {
          productId: p.optionalId('product_id'),
          status: p.oneOf('status', CODE_STATUS_FILTERS, 'UNUSED'),
          ...p.paging(),
        };
        const machine = await findOwnedMachine(store.db, request.merchant.id, machineNo);
        return queryMachinePickupCodes(store.db, machine, filter, clock(request.now));
      },
    },
    {
      method: 'PUT',
      url: '/pickup_codes',
      signed: true,
      write: async (request, trx) => {
        const method = methodOf(request, [METHOD.CANCEL_ONE, METHOD.CANCEL_ALL]);
        const machineNo = request.payload.machineNo();
        const codeId = method === METHOD.CANCEL_ONE ? request.payload.id('id') : undefined;
        const machine = await findOwnedMachine(trx, request.merchant.id, machineNo);
        if (codeId !== undefined) {
          await cancelPickupCode(trx, changeContext(request), machine, codeId);
          return {};
        }
        // Extension; a count of 0 is a zero value and left out, as the docs' `{}`.
        return { count: await cancelAllPickupCodes(trx, changeContext(request), machine) };
      },
    },
    {
      method: 'POST',
      url: '/consumes',
      signed: true,
      write: async (request, trx) => {
        const p = request.payload;
        methodOf(request, [METHOD.CONSUME]);
        const machineNo = p.machineNo();
        const consume = { code: p.pickupCode(), productId: p.id('product_id'), tradeId: p.tradeId(), notifyUrl: p.httpUrl('notify_url') };
        const machine = await findOwnedMachine(trx, request.merchant.id, machineNo);
        const order = await consumePickupCode(trx, changeContext(request), machine, consume);
        return orderView(order, config.timeZone);
      },
    },
  ];

  const methodsByUrl = new Map<string, Set<string>>();
  for (const route of routes) {
    methodsByUrl.set(route.url, (methodsByUrl.get(route.url) ?? new Set()).add(route.method));
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const merchantRequest = await authenticateMerchant(request, route.signed, {
          merchants: deps.merchants,
          timestampWindowSeconds: config.timestampWindowSeconds,
          now: config.clock(),
        });
        const params = request.params as Params;
        if ('write' in route) {
          const text = await deps.answers.answer(merchantRequest, `${route.method} ${route.url}`, (trx) => route.write(merchantRequest, trx, params));
          return deps.send(reply, 200, Number(/^\{"code":(\d+)/.exec(text)?.[1] ?? 0), text);
        }
        const data = await route.read(merchantRequest, params);
        return deps.send(reply, 200, ErrorCode.OK, JSON.stringify(success(omitEmpty(data))));
      },
    });
  }
  for (const [url, methods] of methodsByUrl) {
    const others = ALL_METHODS.filter((method) => !methods.has(method));
    app.route({
      method: others,
      url,
      handler: async () => {
        throw new ApiError(ErrorCode.METHOD_NOT_ALLOWED);
      },
    });
  }
}
