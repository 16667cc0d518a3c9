/** Orders (order_get.md): one order of the merchant's machine with its records. */
import type { FastifyPluginAsync } from 'fastify';
import { idField } from '../../domain/fields.js';
import { findOwnedMachine } from '../../service/catalogue.js';
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
      read: async (request, params) => {
        const machineNo = request.payload.machineNo();
        const orderId = idField('order_id', params.order_id ?? '');
        const machine = await findOwnedMachine(store.db, request.merchant.id, machineNo);
        return describeOrder(store.db, machine, orderId, config.timeZone);
      },
    },
  ]);
};
