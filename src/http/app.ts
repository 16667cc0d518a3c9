/**
 * The Fastify application: the Open API under /api/openapi/v1, one plugin per group of
 * routes (routes/*.ts) behind the rate limit, and the health probes. Cross-cutting work
 * stays out of the route handlers: authentication is every Open API route's preHandler
 * (merchant-auth.ts), writes are answered once per idempotency key (answer-once.ts), every
 * answer leaves as the envelope (reply.ts), and the log controller writes one line per request.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { ServerConfig } from '../config.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { API_PREFIX } from '../protocol/endpoints.js';
import { pingDatabase } from '../store/health.js';
import { MerchantDirectory } from '../service/merchants.js';
import type { Store } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import { healthRoutes, type HealthCheck } from './health.js';
import { decorateMerchantRequest } from './merchant-auth.js';
import type { OpenApiDeps } from './open-api-route.js';
import { sendError } from './reply.js';
import { consumeRoutes } from './routes/consumes.js';
import { machineRoutes } from './routes/machines.js';
import { pickupCodeRoutes } from './routes/pickup-codes.js';
import { productRoutes } from './routes/products.js';

export type { HealthCheck };

export interface AppOptions {
  store: Store;
  /** The stored answers of idempotent writes (the housekeeping purges them). */
  answers: AnsweredRequests;
  /** Probes beyond the database's own (e.g. the MQTT broker). */
  healthChecks?: Record<string, HealthCheck>;
  config: ServerConfig;
  logger?: FastifyBaseLogger | false;
}

/** One JSON log line per request: id, route, status, envelope code, signing form, time. Never headers or bodies. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info(
      {
        method: request.method,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        code: reply.apiCode,
        sign_form: request.signingForm,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        ...(error ? { err: error } : {}),
      },
      'request',
    );
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new OneLinePerRequest(),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
  });

  // Every body arrives as text whatever its Content-Type (or none): the payload extractor
  // decides what it is, after the headers are checked, in the documented order.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own refusals (oversized body, broken framing): the protocol calls them 400.
      return sendError(reply, new ApiError(ErrorCode.BAD_REQUEST, (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body too large' : undefined));
    }
    request.log.error({ reqId: request.id, err: error }, 'unexpected failure');
    return sendError(reply, new ApiError(ErrorCode.INTERNAL_ERROR));
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, new ApiError(ErrorCode.NOT_FOUND)));

  const deps: OpenApiDeps = {
    store: options.store,
    config,
    merchants: new MerchantDirectory(options.store, config.merchantCacheSeconds),
    answers: options.answers,
  };
  await app.register(
    async (scope) => {
      if (config.rateLimitPerMinute > 0) {
        await scope.register(rateLimit, {
          max: config.rateLimitPerMinute,
          timeWindow: 60_000,
          // Per merchant: one busy integration must not starve the others behind a shared NAT.
          keyGenerator: (request) => {
            const appid = request.headers.appid;
            return typeof appid === 'string' && appid !== '' ? `appid:${appid}` : `ip:${request.ip}`;
          },
          errorResponseBuilder: () => new ApiError(ErrorCode.TOO_MANY_REQUESTS),
        });
      }
      decorateMerchantRequest(scope);
      for (const routes of [machineRoutes, productRoutes, pickupCodeRoutes, consumeRoutes]) await scope.register(routes, deps);
    },
    { prefix: API_PREFIX },
  );
  await app.register(healthRoutes, { checks: { database: () => pingDatabase(options.store), ...options.healthChecks } });
  return app;
}
