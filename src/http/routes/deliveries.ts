/**
 * Deliveries: the vend command for an order record (delivery_put.md), a test vend by channel
 * (delivery_test.md), and where a delivery stands (delivery_get.md). A command is a write:
 * the delivery, its record, the machine's lock and the vend command commit together.
 */
import type { FastifyPluginAsync } from 'fastify';
import { idField } from '../../domain/fields.js';
import { METHOD } from '../../protocol/endpoints.js';
import { findOwnedMachine } from '../../service/catalogue.js';
import { deliverOrderRecord, deliverTestVend, findDelivery } from '../../service/deliveries.js';
import { deliveryStateView, startedDeliveryView } from '../../service/orders.js';
import { changeContext, methodOf, registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
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
      write: async (request, work) => {
        const p = request.payload;
        methodOf(request, [METHOD.DELIVERY_PUT]);
        const machineNo = p.machineNo();
        const asked = { orderId: p.id('order_id'), recordId: p.id('record_id') };
        const machine = await findOwnedMachine(work.trx, request.merchant.id, machineNo);
        return startedDeliveryView(await deliverOrderRecord(work, changeContext(request), machine, asked, timing), config.timeZone);
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
      write: async (request, work) => {
        const p = request.payload;
        methodOf(request, [METHOD.DELIVERY_PUT]);
        const machineNo = p.machineNo();
        const asked = { channelName: p.text('channel_name'), notifyUrl: p.httpUrl('notify_url') };
        const machine = await findOwnedMachine(work.trx, request.merchant.id, machineNo);
        return startedDeliveryView(await deliverTestVend(work, changeContext(request), machine, asked, timing), config.timeZone);
      },
    },
    {
      method: 'POST',
      url: '/deliveries/:delivery_id',
      summary: 'Where a delivery stands (delivery_get.md)',
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      read: async (request, params) => {
        const machineNo = request.payload.machineNo();
        const deliveryId = idField('delivery_id', params.delivery_id ?? '');
        const machine = await findOwnedMachine(store.db, request.merchant.id, machineNo);
        return deliveryStateView(await findDelivery(store.db, machine, deliveryId), config.timeZone);
      },
    },
  ]);
};
