/** Consuming a pickup code through the API (consume.md): an order PICKUPCODE. */
import type { FastifyPluginAsync } from 'fastify';
import { METHOD } from '../../protocol/endpoints.js';
import { consumePickupCode } from '../../service/pickup-codes.js';
import { orderView } from '../../service/views.js';
import { consumeGuard } from '../consume-guard.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs } from '../../protocol/request-fields.js';

export const consumeRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { config } = deps;
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/consumes',
      summary: 'Consume a pickup code: an order PICKUPCODE (pickup_code_consume.md)',
      fields: {
        method: needs(FIELD.oneOf([METHOD.CONSUME])),
        machine_no: needs(FIELD.machineNo),
        code: needs(FIELD.code),
        product_id: needs(FIELD.id),
        trade_id: needs(FIELD.tradeId, { description: "the merchant's own order id" }),
        notify_url: needs(FIELD.httpUrl, { description: 'where the delivery result is called back' }),
      },
      signed: true,
      machine: true,
      refuses: ['trade-id-reused', 'disabled', 'not-operating', 'not-found', 'used', 'expired', 'out-of-stock'],
      guard: consumeGuard(deps.limits.wrongCodes, deps.store),
      write: (request) => {
        const p = request.payload;
        const consume = { code: p.pickupCode(), productId: p.id('product_id'), tradeId: p.tradeId(), notifyUrl: p.httpUrl('notify_url') };
        return async (work, machine) => orderView(await consumePickupCode(work, machine, consume), config.timeZone);
      },
    },
  ]);
};
