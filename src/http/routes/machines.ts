/** The merchant's machines (machine_list.md, machine_get.md), and `/ping` to try the credentials. */
import type { FastifyPluginAsync } from 'fastify';
import { describeMachine, listMachines } from '../../service/catalogue.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';

export const machineRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  registerOpenApiRoutes(scope, deps, [
    { method: 'POST', url: '/ping', summary: 'Try the credentials: "pong"', signed: false, read: async () => 'pong' },
    { method: 'POST', url: '/rent/machines', summary: "The merchant's machines (machines.md)", signed: false, refuses: ['no-machine'], read: async (request) => listMachines(store.db, request.merchant.id, config.timeZone) },
    {
      method: 'POST',
      url: '/rent/machines/:machine_no',
      summary: 'One machine (machine.md)',
      signed: false,
      machine: true,
      read: () => (machine) => describeMachine(store.db, machine),
    },
  ]);
};
