/**
 * Open API extensions for the console's lifecycle pages (docs/console.md), open to every API
 * client: a machine's orders of a day, an order's deliveries, the pushes a machine has not
 * been sent, the merchant's latest callbacks, and its webhook (read, set or clear, a new
 * secret shown once). Signed like the original queries, behind the same pipeline.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { refusedCallbackUrl } from '../../domain/callback-targets.js';
import { METHOD } from '../../protocol/endpoints.js';
import { invalidField } from '../../protocol/errors.js';
import { FIELD, needs, PAGING_FIELDS, takes } from '../../protocol/request-fields.js';
import { wallDayRange } from '../../protocol/time.js';
import { deliveriesOfOrder, latestCallbacks, ordersOfMachineBetween, unsentPushesOf } from '../../service/lifecycle.js';
import { merchantWebhook, rotateWebhookSecret, setWebhookUrl } from '../../service/webhook.js';
import { methodOf, registerOpenApiRoutes, type OpenApiDeps } from '../open-api-route.js';

/** The merchant's latest callbacks: 20 unless asked, at most 100. */
const CALLBACKS_PER_PAGE = { min: 1, max: 100, fallback: 20 };
const WEBHOOK_METHODS = [METHOD.WEBHOOK_SET, METHOD.WEBHOOK_CLEAR, METHOD.WEBHOOK_ROTATE_SECRET] as const;

/** The payload's `date`: a calendar day in the platform zone, as [from, to) seconds. */
function dayOf(request: FastifyRequest, timeZone: string): { from: number; to: number } {
  const range = wallDayRange(request.payload.text('date'), timeZone);
  if (!range) throw invalidField('date', 'must be a day YYYY-MM-DD');
  return range;
}

/**
 * The payload's `webhook_url`. A URL the sender could never use is refused now; where it
 * points is checked as a notify_url's is, by the sender's guard at each attempt, which the
 * attempt records.
 */
function webhookUrlOf(request: FastifyRequest): string {
  const url = request.payload.httpUrl('webhook_url');
  const refused = refusedCallbackUrl(url, true);
  if (refused) throw invalidField('webhook_url', `is refused: ${refused}`);
  return url;
}

export const lifecycleRoutes: FastifyPluginAsync<OpenApiDeps> = async (scope, deps) => {
  const { store, config } = deps;
  const { timeZone } = config;
  registerOpenApiRoutes(scope, deps, [
    {
      method: 'POST',
      url: '/orders/query',
      summary: "A machine's orders of one day, newest first, with their records",
      fields: { machine_no: needs(FIELD.machineNo), date: needs(FIELD.day, { description: 'the day, in the platform time zone' }), ...PAGING_FIELDS },
      signed: true,
      machine: true,
      read: (request) => {
        const range = dayOf(request, timeZone);
        const paging = request.payload.paging();
        return (machine) => ordersOfMachineBetween(store.db, machine, range, paging, timeZone);
      },
    },
    {
      method: 'POST',
      url: '/deliveries/query',
      summary: "An order's deliveries, oldest first",
      fields: { machine_no: needs(FIELD.machineNo), order_id: needs(FIELD.id) },
      signed: true,
      machine: true,
      refuses: ['not-found'],
      read: (request) => {
        const orderId = request.payload.id('order_id');
        return (machine) => deliveriesOfOrder(store.db, machine, orderId, timeZone);
      },
    },
    {
      method: 'POST',
      url: '/machines/pushes',
      summary: 'How many pushes wait for a machine, and since when',
      fields: { machine_no: needs(FIELD.machineNo) },
      signed: true,
      machine: true,
      read: () => (machine) => unsentPushesOf(store.db, machine, timeZone),
    },
    {
      method: 'POST',
      url: '/callbacks/latest',
      summary: "The merchant's latest callbacks and every attempt",
      fields: { before_id: takes(FIELD.id, { description: 'only callbacks older than this one' }), per_page: takes(FIELD.integer(1, 100), { description: 'default 20' }) },
      signed: true,
      read: async (request) => {
        const p = request.payload;
        return latestCallbacks(store.db, request.merchant.id, p.integer('per_page', CALLBACKS_PER_PAGE), p.optionalId('before_id'), timeZone);
      },
    },
    {
      method: 'POST',
      url: '/webhook',
      summary: "The merchant's webhook URL, and whether a secret signs its events",
      signed: true,
      read: async (request) => merchantWebhook(store.db, request.merchant.id),
    },
    {
      method: 'PUT',
      url: '/webhook',
      summary: 'Set or clear the webhook URL, or rotate its secret (answered once)',
      fields: { method: needs(FIELD.oneOf(WEBHOOK_METHODS)), webhook_url: takes(FIELD.httpUrl, { description: `for ${METHOD.WEBHOOK_SET}` }) },
      signed: true,
      write: async (request, { trx }) => {
        const method = methodOf(request, WEBHOOK_METHODS);
        if (method === METHOD.WEBHOOK_ROTATE_SECRET) return rotateWebhookSecret(trx, request.merchant.id);
        await setWebhookUrl(trx, request.merchant.id, method === METHOD.WEBHOOK_SET ? webhookUrlOf(request) : null);
        return {};
      },
    },
  ]);
};
