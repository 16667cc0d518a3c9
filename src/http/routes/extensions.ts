/**
 * Open API extensions beyond the original's pages, made for the merchant console and open
 * to every API user: the fleet at a glance, live codes per product, and a code's life; and
 * an order's callbacks with every attempt, and their resend (docs/callbacks.md).
 * Signed reads like the original queries, behind the same pipeline and verb checks.
 */
import type { FastifyPluginAsync } from 'fastify';
import { pickupCodeHistory } from '../../service/code-history.js';
import { liveCodeCounts, machinesOverview } from '../../service/fleet.js';
import { METHOD } from '../../protocol/endpoints.js';
import { merchantCallbacksOfOrder, resendCallback } from '../../service/callbacks.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs, takes } from '../../protocol/request-fields.js';

export const extensionRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  const clock = (now: number) => ({ now, timeZone: config.timeZone });
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/machines/overview',
      summary: 'Every machine (or one) at a glance: online, live codes',
      fields: { machine_no: takes(FIELD.machineNo, { description: 'only this machine' }) },
      signed: true,
      // The machine is a filter here, and optional: the one statement finds the merchant's fleet or that machine of it.
      refuses: ['machine-not-found'],
      read: async (request) => {
        const machineNo = request.payload.optionalText('machine_no') === undefined ? undefined : request.payload.machineNo();
        return machinesOverview(store.db, request.merchant.id, clock(request.now), machineNo);
      },
    },
    {
      method: 'POST',
      url: '/pickup_codes/live_counts',
      summary: "Live codes per product of a machine",
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      machine: true,
      read: (request) => (machine) => liveCodeCounts(store.db, machine, clock(request.now)),
    },
    {
      method: 'POST',
      url: '/callbacks/query',
      summary: "An order's callbacks and every attempt",
      fields: { order_id: needs(FIELD.id) },
      signed: true,
      refuses: ['not-found'],
      read: async (request) => merchantCallbacksOfOrder(store.db, request.merchant.id, request.payload.id('order_id'), config.timeZone),
    },
    {
      method: 'PUT',
      url: '/callbacks',
      summary: 'Send a callback again now',
      fields: { method: needs(FIELD.oneOf([METHOD.CALLBACK_RESEND])), id: needs(FIELD.id, { description: 'the callback' }) },
      signed: true,
      refuses: ['not-found'],
      write: async (request, work) => {
        await resendCallback(work, request.payload.id('id'), request.merchant.id);
        return {};
      },
    },
    {
      method: 'POST',
      url: '/pickup_codes/history',
      summary: "A code's life: events, pushes, order",
      fields: { machine_no: needs(FIELD.machineNo), id: needs(FIELD.id, { description: 'the code' }) },
      signed: true,
      machine: true,
      refuses: ['not-found'],
      read: (request) => {
        const codeId = request.payload.id('id');
        return (machine) => pickupCodeHistory(store.db, machine, codeId, clock(request.now));
      },
    },
  ]);
};
