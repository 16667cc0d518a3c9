/** Orders (order_get.md): one order of the merchant's machine with its records. */
import type { FastifyPluginAsync } from 'fastify';
import { idField } from '../../domain/fields.js';
import { describeOrder } from '../../service/orders.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs } from '../../protocol/request-fields.js';

export const orderRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/orders/:order_id',
      summary: 'An order with its records and their deliveries (order_get.md)',
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      machine: true,
      refuses: ['not-found'],
      read: (_request, params) => {
        const orderId = idField('order_id', params.order_id ?? '');
        return (machine) => describeOrder(store.db, machine, orderId, config.timeZone);
      },
    },
  ]);
};
