/**
 * The Fastify application serving the Open API under /api/openapi/v1. Cross-cutting work
 * stays out of the route handlers: every route runs behind the authentication pipeline
 * (merchant-auth.ts) and, for writes, the idempotent-answer store (answer-once.ts); the error
 * handler maps every failure to the envelope; the log controller writes one line per request.
 * Route handlers (routes.ts) read like the business rule.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { API_PREFIX, CONSOLE_PREFIX } from '../protocol/endpoints.js';
import { failure } from '../protocol/envelope.js';
import { DEFAULT_TIME_ZONE, nowSeconds } from '../protocol/time.js';
import { MerchantDirectory } from '../service/merchants.js';
import { purgeSentPushes } from '../service/outbox.js';
import { ping } from '../store/executor.js';
import { isStoreUnavailable, type Store } from '../store/store.js';
import { AnsweredRequests } from './answer-once.js';
import { answerClientError } from './client-errors.js';
import { asApiError } from './refusals.js';
import { consolePlugin } from './console.js';
import { registerRateLimit } from './rate-limit.js';
import { registerOpenApi, type OpenApiDeps } from './routes.js';

export { API_PREFIX };

export interface ServerConfig {
  /** Largest accepted |server clock − timestamp|, seconds; 0 turns the check off. */
  timestampWindowSeconds: number;
  /** The platform time zone in which times are read and written. */
  timeZone: string;
  bodyLimitBytes: number;
  /** How stale a cached merchant row may be, seconds. */
  merchantCacheSeconds: number;
  /** Requests per minute one Appid may make (on each instance, or in all together with redisUrl); 0 = no limit. */
  rateLimitPerMinute: number;
  /** Redis (redis://…) where every instance counts the rate limit; undefined = each counts alone. */
  redisUrl?: string;
  /** Prefix of the rate limit's keys in Redis. */
  redisKeyPrefix: string;
  /** How long a client may take to send a whole request (headers and body), ms; then 408. */
  requestTimeoutMs: number;
  /** Unix seconds now; tests replace it to move time. */
  clock: () => number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  timestampWindowSeconds: 300,
  timeZone: DEFAULT_TIME_ZONE,
  bodyLimitBytes: 64 * 1024,
  merchantCacheSeconds: 5,
  rateLimitPerMinute: 3000,
  redisKeyPrefix: 'vendcloud:rate-limit:',
  requestTimeoutMs: 30_000,
  clock: nowSeconds,
};

/**
 * Longest path parameter the router takes. Fastify's default (100) refused a long
 * machine_no with its own 414 before the route could say which field is wrong; the
 * request line is bounded by the header size limit (16 KiB) anyway.
 */
const MAX_PATH_PARAMETER = 16 * 1024;

/** A named probe for /healthz: resolves when the part works, throws when it does not. */
export type HealthCheck = () => Promise<void>;

export interface AppOptions {
  store: Store;
  /** Probes beyond the database's own (e.g. the MQTT broker). */
  healthChecks?: Record<string, HealthCheck>;
  config?: Partial<ServerConfig>;
  logger?: FastifyBaseLogger | false;
}

declare module 'fastify' {
  interface FastifyReply {
    /** The envelope code sent, for the request's log line. */
    apiCode?: number;
  }
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

function sendEnvelopeText(reply: FastifyReply, httpStatus: number, apiCode: number, text: string) {
  reply.apiCode = apiCode;
  return reply.code(httpStatus).type('application/json; charset=utf-8').send(text);
}

export function sendError(reply: FastifyReply, error: ApiError) {
  return sendEnvelopeText(reply, error.httpStatus, error.code, JSON.stringify(failure(error)));
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
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
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
    answers: new AnsweredRequests(options.store, config.timestampWindowSeconds),
    send: sendEnvelopeText,
  };
  await app.register(
    async (scope) => {
      await registerRateLimit(scope, { perMinute: config.rateLimitPerMinute, redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix });
      registerOpenApi(scope, deps);
    },
    { prefix: API_PREFIX },
  );

  await app.register(consolePlugin, { prefix: CONSOLE_PREFIX, timeZone: config.timeZone });

  registerHealth(app, { database: () => ping(options.store.db), ...options.healthChecks });

  // Housekeeping: answers kept a day for retries, and pushes sent a day ago.
  const purge = setInterval(() => {
    deps.answers.purge(config.clock()).catch((error) => app.log.warn({ err: error }, 'purging answered requests failed'));
    options.store
      .write((trx) => purgeSentPushes(trx, config.clock()))
      .catch((error) => app.log.warn({ err: error }, 'purging sent pushes failed'));
  }, 60_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return app;
}

/**
 * GET /healthz: 200 when every part answers, 503 naming the part that does not; a load
 * balancer uses it for liveness. GET /readyz: 503 as soon as shutdown begins (the onRequest
 * hook answers every request so then), so traffic drains away before the process stops
 * accepting connections.
 */
function registerHealth(app: FastifyInstance, checks: Record<string, HealthCheck>): void {
  app.get('/healthz', async (_request, reply) => {
    const status: Record<string, string> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          status[name] = 'ok';
        } catch (error) {
          status[name] = `down: ${(error as Error).message}`;
        }
      }),
    );
    const healthy = Object.values(status).every((value) => value === 'ok');
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', ...status });
  });
  app.get('/readyz', async () => ({ ready: true }));
}
