/** A machine's products, paged (product_list.md), and their stock (extension `PUT /products`). */
import type { FastifyPluginAsync } from 'fastify';
import type { StockDecision } from '../../domain/stock.js';
import { METHOD } from '../../protocol/endpoints.js';
import { listProducts } from '../../service/catalogue.js';
import { restockProducts, setStock } from '../../service/stock.js';
import { methodOf, registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';
import { FIELD, needs, PAGING_FIELDS, takes } from '../../protocol/request-fields.js';

const STOCK_METHODS = [METHOD.PRODUCT_RESTOCK, METHOD.PRODUCT_STOCK] as const;

/** The answer of a change of stock: each product changed, as it is now. */
function stockView(decisions: StockDecision[]) {
  return { products: decisions.map((decision) => ({ id: decision.productId, inventory: decision.to.inventory, on_sale: decision.to.on_sale === 1 })) };
}

/** Above any machine's channel; a larger value is a malformed field, not a refusal of the rules. */
const MAX_INVENTORY = 1_000_000;

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
      machine: true,
      read: (request) => {
        const p = request.payload;
        const filter = {
          ...p.paging(),
          categoryId: p.integer('category_id', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
          cabinetName: p.optionalText('cabinet_name') ?? 'A',
          selectAll: p.oneOf('select_all', ['0', '1'], '0') === '1',
        };
        return (machine) => listProducts(store.db, machine, filter);
      },
    },
    {
      method: 'PUT',
      url: '/products',
      summary: 'Restock every product or one, or set one product\'s stock',
      fields: {
        method: needs(FIELD.oneOf(STOCK_METHODS)),
        machine_no: needs(FIELD.machineNo),
        product_id: takes(FIELD.id, { requiredFor: [METHOD.PRODUCT_STOCK], extension: true, description: 'the product; for product.restock, absent: every product' }),
        inventory: needs(FIELD.integer(0, MAX_INVENTORY), { methods: [METHOD.PRODUCT_STOCK], extension: true, description: 'from 0 to the capacity' }),
      },
      signed: true,
      machine: true,
      refuses: ['product-not-found', 'bad-inventory'],
      write: (request) => {
        const p = request.payload;
        if (methodOf(request, STOCK_METHODS) === METHOD.PRODUCT_RESTOCK) {
          const productId = p.optionalId('product_id');
          return async (work, machine) => stockView(await restockProducts(work, machine.id, productId === undefined ? 'all' : [productId], 1));
        }
        const productId = p.id('product_id');
        const inventory = p.integer('inventory', { min: 0, max: MAX_INVENTORY, fallback: -1 });
        return async (work, machine) => stockView([await setStock(work, machine.id, productId, { inventory, reason: 'set' })]);
      },
    },
  ]);
};
