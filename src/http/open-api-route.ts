/**
 * How an Open API route is declared and answered, in one place. Each route plugin lists its
 * routes; this registers them behind the authentication preHandler, with `config.signed`
 * saying whether it takes a payload; what the pipeline does follows from the handler it
 * declares: a read answers its data, a write runs in one transaction through the
 * idempotent-answer store (answer-once.ts), and either leaves as the envelope through reply.ts. Verbs a path does not take get 10005.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ServerConfig } from '../config.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { SIGNED_FIELDS, type RouteFields } from '../protocol/request-fields.js';
import type { ChangeContext } from '../service/context.js';
import type { MerchantDirectory } from '../service/merchants.js';
import type { Store, Work } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import type { ConsumeGuard } from './consume-guard.js';
import { authenticate } from './merchant-auth.js';
import type { HttpLimits } from './rate-limit.js';
import { sendAnswer, successAnswer } from './reply.js';

/** What every route plugin of the Open API is given. */
export interface OpenApiDeps {
  store: Store;
  config: ServerConfig;
  merchants: MerchantDirectory;
  answers: AnsweredRequests;
  limits: HttpLimits;
  /** Every route registered, as declared: what the OpenAPI document describes (openapi-document.ts). */
  routes: OpenApiRoute[];
}

type Params = Record<string, string>;

/** `guard`: a check after authentication and its follow-up once answered (consume-guard.ts). */
export type OpenApiRoute = {
  method: 'POST' | 'PUT';
  url: string;
  /** The payload fields it reads beyond SIGNED_FIELDS (none for a route that is not signed). */
  fields?: RouteFields;
  /** One line for the reference: what it does, and the original's page it follows. */
  summary: string;
  guard?: ConsumeGuard;
} & (
  | { signed: boolean; read: (request: FastifyRequest, params: Params) => Promise<unknown> }
  | { signed: true; write: (request: FastifyRequest, work: Work, params: Params) => Promise<unknown> }
);

const ALL_METHODS: HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

/** `method` must be one the route takes: 10004 otherwise (missing included). */
export function methodOf<T extends string>(request: FastifyRequest, allowed: readonly T[]): T {
  const method = request.payload.optionalText('method');
  if (method === undefined || !(allowed as readonly string[]).includes(method)) throw new ApiError(ErrorCode.METHOD_INVALID);
  return method as T;
}

/** Who changes what and when, as the history rows of a merchant's change record it. */
export function changeContext(request: FastifyRequest): ChangeContext {
  return { actor: { name: `merchant:${request.merchant.id}`, requestId: request.id }, now: request.now };
}

export function registerOpenApiRoutes(scope: FastifyInstance, deps: OpenApiDeps, routes: OpenApiRoute[]): void {
  const preHandler = authenticate({ merchants: deps.merchants, limits: deps.limits, timestampWindowSeconds: deps.config.timestampWindowSeconds, clock: deps.config.clock });
  const methodsByUrl = new Map<string, Set<string>>();
  for (const route of routes) {
    methodsByUrl.set(route.url, (methodsByUrl.get(route.url) ?? new Set()).add(route.method));
    deps.routes.push(route);
    const fields = new Set([...Object.keys(SIGNED_FIELDS), ...Object.keys(route.fields ?? {})]);
    scope.route({
      method: route.method,
      url: route.url,
      config: { signed: route.signed, fields },
      preHandler: route.guard ? [preHandler, route.guard.preHandler] : preHandler,
      ...(route.guard ? { onSend: route.guard.onSend } : {}),
      handler: (request, reply) => answerRoute(route, deps, request, reply),
    });
  }
  for (const [url, methods] of methodsByUrl) {
    scope.route({
      method: ALL_METHODS.filter((method) => !methods.has(method)),
      url,
      handler: async () => {
        throw new ApiError(ErrorCode.METHOD_NOT_ALLOWED);
      },
    });
  }
}

async function answerRoute(route: OpenApiRoute, deps: OpenApiDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.params as Params;
  const answer =
    'write' in route
      ? await deps.answers.answer(request, `${route.method} ${route.url}`, (work) => route.write(request, work, params))
      : successAnswer(await route.read(request, params));
  return sendAnswer(reply, answer);
}
