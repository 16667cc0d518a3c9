/**
 * The Open API's reference, outside the signed API (no Appid, no rate limit): GET
 * /api/openapi/v1/openapi.json, the generated OpenAPI 3.1 document (openapi-document.ts), and
 * GET /api/openapi/v1/docs, a page of our own that renders it, served from here whole (no
 * CDN, nothing fetched but the document beside it), so it works offline and behind a firewall.
 */
import type { FastifyPluginAsync } from 'fastify';
import { openApiDocument } from './openapi-document.js';
import type { OpenApiRoute } from './open-api-route.js';
import { REFERENCE_PAGE } from './openapi-page.js';

export const openApiReferenceRoutes: FastifyPluginAsync<{ routes: readonly OpenApiRoute[] }> = async (scope, { routes }) => {
  // Made on first request: every route plugin has registered its routes by then.
  let text: string | undefined;
  scope.get('/openapi.json', async (_request, reply) => {
    text ??= JSON.stringify(openApiDocument(routes));
    return reply.type('application/json; charset=utf-8').send(text);
  });
  scope.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(REFERENCE_PAGE));
};
