/**
 * The Fastify application: the Open API under /api/openapi/v1, one plugin per group of
 * routes (routes/*.ts) behind the rate limit, and the health probes. Cross-cutting work
 * stays out of the route handlers: authentication is every Open API route's preHandler
 * (merchant-auth.ts), writes are answered once per idempotency key (answer-once.ts), every
 * answer and every failure leaves as the envelope (reply.ts), and the log controller writes
 * one line per request.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { API_PREFIX, CONSOLE_PREFIX } from '../protocol/endpoints.js';
import { MachineDirectory } from '../service/machine-directory.js';
import { MerchantDirectory } from '../service/merchants.js';
import { migrationsCurrent, storeAnswers } from '../store/readiness.js';
import { isStoreUnavailable, type Store } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import { answerClientError } from './client-errors.js';
import { asApiError } from './refusals.js';
import { consolePlugin } from './console.js';
import { healthRoutes, type HealthCheck } from './health.js';
import { openApiReferenceRoutes } from './openapi-routes.js';
import { decorateMerchantRequest } from './merchant-auth.js';
import type { OpenApiDeps } from './open-api-route.js';
import { httpLimits } from './rate-limit.js';
import { sendError } from './reply.js';
import { consumeRoutes } from './routes/consumes.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { orderRoutes } from './routes/orders.js';
import { extensionRoutes } from './routes/extensions.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { machineRoutes } from './routes/machines.js';
import { pickupCodeRoutes } from './routes/pickup-codes.js';
import { productRoutes } from './routes/products.js';

export type { HealthCheck };

/**
 * Longest path parameter the router takes. Fastify's default (100) refused a long
 * machine_no with its own 414 before the route could say which field is wrong; the
 * request line is bounded by the header size limit (16 KiB) anyway.
 */
const MAX_PATH_PARAMETER = 16 * 1024;

export interface AppOptions {
  store: Store;
  /** The stored answers of idempotent writes (the housekeeping purges them). */
  answers: AnsweredRequests;
  /** Readiness probes beyond the store's own (e.g. the MQTT broker). */
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

/** What the protocol's 400 says about some of Fastify's own refusals. */
const FRAMEWORK_REFUSALS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body too large',
  FST_ERR_BAD_URL: 'malformed URL',
  FST_ERR_MAX_PARAM_LENGTH: 'malformed URL',
};

/** Every failure becomes the envelope: a documented code, or 500 (logged) for the unexpected. */
function answerFailure(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const refusal = asApiError(error);
  if (refusal instanceof ApiError) return sendError(reply, refusal);
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  // Fastify's own refusals (oversized body, broken framing, a URL that does not decode): the protocol calls them 400.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return sendError(reply, new ApiError(ErrorCode.BAD_REQUEST, FRAMEWORK_REFUSALS[code ?? '']));
  if (isStoreUnavailable(error)) {
    // The request's transaction rolled back, unless the connection died in its very COMMIT:
    // sent again with its idempotency key, it is applied once either way.
    request.log.warn({ reqId: request.id, err: (error as Error).message }, 'database unavailable');
    return sendError(reply, new ApiError(ErrorCode.SERVICE_UNAVAILABLE));
  }
  request.log.error({ reqId: request.id, err: error }, 'unexpected failure');
  return sendError(reply, new ApiError(ErrorCode.INTERNAL_ERROR));
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new OneLinePerRequest(),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER },
    // Answered with the envelope by the onRequest hook below, not Fastify's own body.
    return503OnClosing: false,
    // Requests the router cannot take (a URL that does not decode) skip the hooks: the
    // envelope and the request id here, never Fastify's body echoing the path.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return answerFailure(error, request, reply);
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, app.log),
    requestTimeout: config.requestTimeoutMs,
    // Behind a load balancer the client's address (the failed-authentication limit's key) is in X-Forwarded-For.
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    // Node checks the timeouts every 30 s by default, far coarser than the timeout itself.
    http: { headersTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) },
  });

  // An Expect other than 100-continue: Node would answer a bare 417 without the envelope.
  // RFC 9110 lets a server ignore an expectation it does not know, so the request is served.
  app.server.on('checkExpectation', (request, response) => app.server.emit('request', request, response));

  // Every body arrives as text whatever its Content-Type (or none): the payload extractor
  // decides what it is, after the headers are checked, in the documented order.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Shutting down: the load balancer sends this client elsewhere (also /readyz's answer).
    if (closing) throw new ApiError(ErrorCode.SERVICE_UNAVAILABLE);
  });

  app.setErrorHandler(answerFailure);

  app.setNotFoundHandler((_request, reply) => sendError(reply, new ApiError(ErrorCode.NOT_FOUND)));

  const deps: OpenApiDeps = {
    store: options.store,
    config,
    merchants: new MerchantDirectory(options.store, config.merchantCacheSeconds),
    // The same bound as the merchants': one setting says how stale what a request is checked against may be.
    machines: new MachineDirectory(config.merchantCacheSeconds),
    answers: options.answers,
    limits: await httpLimits(config, app.log),
    routes: [],
  };
  app.addHook('onClose', async () => deps.limits.close());
  await app.register(
    async (scope) => {
      decorateMerchantRequest(scope);
      for (const routes of [machineRoutes, productRoutes, pickupCodeRoutes, consumeRoutes, orderRoutes, deliveryRoutes, extensionRoutes, lifecycleRoutes]) await scope.register(routes, deps);
    },
    { prefix: API_PREFIX },
  );
  await app.register(openApiReferenceRoutes, { prefix: API_PREFIX, routes: deps.routes });
  await app.register(consolePlugin, { prefix: CONSOLE_PREFIX, timeZone: config.timeZone });
  await app.register(healthRoutes, { checks: { database: () => storeAnswers(options.store), migrations: () => migrationsCurrent(options.store), ...options.healthChecks } });
  return app;
}
