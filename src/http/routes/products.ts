/** A machine's products, paged (product_list.md). */
import type { FastifyPluginAsync } from 'fastify';
import { findOwnedMachine, listProducts } from '../../service/catalogue.js';
import { registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs, PAGING_FIELDS, takes } from '../../protocol/request-fields.js';

export const productRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store } = deps;
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/products',
      summary: "A machine's products, paged (products.md)",
      fields: {
        machine_no: needs(FIELD.machineNo),
        ...PAGING_FIELDS,
        category_id: takes(FIELD.integer(0, Number.MAX_SAFE_INTEGER), { description: '0 (default): every category' }),
        cabinet_name: takes(FIELD.text, { description: 'default A' }),
        select_all: takes(FIELD.oneOf(['0', '1']), { description: '1: every product, not a page' }),
      },
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
  ]);
};
