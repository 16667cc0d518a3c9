/**
 * Deliveries: the vend command for an order record (delivery_put.md), a test vend by channel
 * (delivery_test.md), and where a delivery stands (delivery_get.md). A command is a write:
 * the delivery, its record, the machine's lock and the vend command commit together.
 */
import type { FastifyPluginAsync } from 'fastify';
import { idField } from '../../domain/fields.js';
import { METHOD } from '../../protocol/endpoints.js';
import { deliverOrderRecord, deliverTestVend, findDelivery } from '../../service/deliveries.js';
import { deliveryStateView, startedDeliveryView } from '../../service/orders.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs } from '../../protocol/request-fields.js';

export const deliveryRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  const timing = { resultTimeoutSeconds: config.deliveryResultTimeoutSeconds };
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/deliveries',
      summary: 'Vend an order record (delivery_put.md)',
      fields: { method: needs(FIELD.oneOf([METHOD.DELIVERY_PUT])), machine_no: needs(FIELD.machineNo), order_id: needs(FIELD.id), record_id: needs(FIELD.id) },
      signed: true,
      machine: true,
      refuses: ['not-found', 'not-deliverable', 'offline', 'no-vend-command', 'busy'],
      write: (request) => {
        const asked = { orderId: request.payload.id('order_id'), recordId: request.payload.id('record_id') };
        return async (work, machine) => startedDeliveryView(await deliverOrderRecord(work, machine, asked, timing), config.timeZone);
      },
    },
    {
      method: 'POST',
      url: '/deliveries/debug',
      summary: 'Test vend by channel (delivery_test.md)',
      fields: {
        method: needs(FIELD.oneOf([METHOD.DELIVERY_PUT])),
        machine_no: needs(FIELD.machineNo),
        channel_name: needs(FIELD.text),
        notify_url: needs(FIELD.httpUrl),
      },
      signed: true,
      machine: true,
      refuses: ['product-not-found', 'offline', 'out-of-stock', 'busy'],
      write: (request) => {
        const asked = { channelName: request.payload.text('channel_name'), notifyUrl: request.payload.httpUrl('notify_url') };
        return async (work, machine) => startedDeliveryView(await deliverTestVend(work, machine, asked, timing), config.timeZone);
      },
    },
    {
      method: 'POST',
      url: '/deliveries/:delivery_id',
      summary: 'Where a delivery stands (delivery_get.md)',
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      machine: true,
      refuses: ['not-found'],
      read: (_request, params) => {
        const deliveryId = idField('delivery_id', params.delivery_id ?? '');
        return async (machine) => deliveryStateView(await findDelivery(store.db, machine, deliveryId), config.timeZone);
      },
    },
  ]);
};
