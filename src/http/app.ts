/**
 * The Fastify application serving the Open API under /api/openapi/v1. Cross-cutting work
 * stays out of the route handlers: every route runs behind the authentication pipeline
 * (merchant-auth.ts) and, for writes, the idempotent-answer store (answer-once.ts); the error
 * handler maps every failure to the envelope; the log controller writes one line per request.
 * Route handlers (routes.ts) read like the business rule.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { API_PREFIX } from '../protocol/endpoints.js';
import { failure } from '../protocol/envelope.js';
import type { ServerConfig } from '../config.js';
import { MerchantDirectory } from '../service/merchants.js';
import { sql } from 'kysely';
import type { Store } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import { registerOpenApi, type OpenApiDeps } from './routes.js';

/** A named probe for /healthz: resolves when the part works, throws when it does not. */
export type HealthCheck = () => Promise<void>;

export interface AppOptions {
  store: Store;
  /** The stored answers of idempotent writes (the housekeeping purges them). */
  answers: AnsweredRequests;
  /** Probes beyond the database's own (e.g. the MQTT broker). */
  healthChecks?: Record<string, HealthCheck>;
  config: ServerConfig;
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
    send: sendEnvelopeText,
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
      registerOpenApi(scope, deps);
    },
    { prefix: API_PREFIX },
  );

  registerHealth(app, { database: () => sql`select 1`.execute(options.store.db).then(() => undefined), ...options.healthChecks });
  return app;
}

/**
 * GET /healthz: 200 when every part answers, 503 naming the part that does not; a load
 * balancer uses it for liveness. GET /readyz: 503 as soon as shutdown begins, so traffic
 * drains away before the process stops accepting connections.
 */
function registerHealth(app: FastifyInstance, checks: Record<string, HealthCheck>): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
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
  app.get('/readyz', async (_request, reply) => reply.code(closing ? 503 : 200).send({ ready: !closing }));
}
