/**
 * How an Open API route is declared and answered, in one place. Each route plugin lists its
 * routes; this registers them behind the authentication preHandler, with `config.signed`
 * saying whether it takes a payload; what the pipeline does follows from the handler it
 * declares: a read answers its data, a write runs in one transaction through the
 * idempotent-answer store (answer-once.ts), and either leaves as the envelope through reply.ts. Verbs a path does not take get 10005.
 *
 * A route on one of the merchant's machines declares `machine: true`; the pipeline finds the
 * machine once (30003 when it is not the merchant's; from memory when it is known,
 * machine-directory.ts) and hands it to the handler. It is not a
 * Fastify preHandler: the machine is checked after the payload's method and fields, as the
 * documented order says, and a write finds it inside its transaction, after the idempotent
 * answer store's checks, as before.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ServerConfig } from '../config.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { SIGNED_FIELDS, type RouteFields } from '../protocol/request-fields.js';
import { machineNoField } from '../domain/fields.js';
import type { MachineDirectory } from '../service/machine-directory.js';
import type { MerchantDirectory } from '../service/merchants.js';
import { Refused } from '../service/refused.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';
import type { Store, Work } from '../store/store.js';
import type { AnsweredRequests } from './answer-once.js';
import type { ConsumeGuard } from './consume-guard.js';
import { authenticate, merchantAuthor } from './merchant-auth.js';
import type { HttpLimits } from './rate-limit.js';
import type { RefusalReason } from './refusals.js';
import { sendAnswer, successAnswer } from './reply.js';

/** What every route plugin of the Open API is given. */
export interface OpenApiDeps {
  store: Store;
  config: ServerConfig;
  merchants: MerchantDirectory;
  /** The merchants' machines that routes on a machine find (machine-directory.ts). */
  machines: MachineDirectory;
  answers: AnsweredRequests;
  limits: HttpLimits;
  /** Every route registered, as declared: what the OpenAPI document describes (openapi-document.ts). */
  routes: OpenApiRoute[];
}

type Params = Record<string, string>;

/** What every route declares, whatever it does. */
interface RouteDeclaration {
  method: 'POST' | 'PUT';
  url: string;
  /** The payload fields it reads beyond SIGNED_FIELDS (none for a route that is not signed). */
  fields?: RouteFields;
  /** One line for the reference: what it does, and the original's page it follows. */
  summary: string;
  /** A check after authentication and its follow-up once answered (consume-guard.ts). */
  guard?: ConsumeGuard;
  /** The refusals of the rules it may answer; their codes are refusals.ts's, listed in the reference. */
  refuses?: readonly RefusalReason[];
}

/** A route that names no machine of the merchant's: its handler reads the request and answers. */
type PlainHandler =
  | { machine?: undefined; signed: boolean; read: (request: FastifyRequest, params: Params) => Promise<unknown> }
  | { machine?: undefined; signed: true; write: (request: FastifyRequest, work: Work, params: Params) => Promise<unknown> };

/**
 * A route on one of the merchant's machines, named by `machine_no` in its path or payload. Its
 * handler reads the request's other fields and returns what to do on the machine; the pipeline
 * finds the machine between the two (answerRoute), so the handler cannot run without it.
 */
type MachineHandler =
  | { machine: true; signed: boolean; read: (request: FastifyRequest, params: Params) => (machine: MachineRef) => Promise<unknown> }
  | { machine: true; signed: true; write: (request: FastifyRequest, params: Params) => (work: Work, machine: MachineRef) => Promise<unknown> };

export type OpenApiRoute = RouteDeclaration & (PlainHandler | MachineHandler);
type ReadRoute = Extract<OpenApiRoute, { read: unknown }>;
type WriteRoute = Extract<OpenApiRoute, { write: unknown }>;

const ALL_METHODS: HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

/** `method` must be one the route takes: 10004 otherwise (missing included). */
export function methodOf<T extends string>(request: FastifyRequest, allowed: readonly T[]): T {
  const method = request.payload.optionalText('method');
  if (method === undefined || !(allowed as readonly string[]).includes(method)) throw new ApiError(ErrorCode.METHOD_INVALID);
  return method as T;
}

/**
 * A route that names a machine (`:machine_no` in its path, or a required `machine_no` field)
 * takes it from the pipeline, which checks that it is the merchant's; registering one that
 * would look it up itself is refused, so no handler can skip the check.
 */
export function assertMachineDeclared(route: OpenApiRoute): void {
  const namesMachine = route.url.includes(':machine_no') || route.fields?.machine_no?.required === true;
  if (namesMachine && route.machine !== true) throw new Error(`${route.method} ${route.url} names a machine: it must declare machine: true`);
  if (!namesMachine && route.machine === true) throw new Error(`${route.method} ${route.url} declares machine: true but names no machine_no`);
}

export function registerOpenApiRoutes(scope: FastifyInstance, deps: OpenApiDeps, routes: OpenApiRoute[]): void {
  const preHandler = authenticate({ merchants: deps.merchants, limits: deps.limits, timestampWindowSeconds: deps.config.timestampWindowSeconds, clock: deps.config.clock });
  const methodsByUrl = new Map<string, Set<string>>();
  for (const route of routes) {
    assertMachineDeclared(route);
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
      ? await deps.answers.answer(request, `${route.method} ${route.url}`, merchantAuthor(request), (work) => answering(route, () => write(route, request, params, work, deps)))
      : successAnswer(await answering(route, () => read(route, request, params, deps)));
  return sendAnswer(reply, answer);
}

/** The `method` values the route takes, as its `method` field declares them; undefined when it takes none. */
export function declaredMethods(route: Pick<OpenApiRoute, 'fields'>): readonly string[] | undefined {
  return route.fields?.method?.schema.enum as readonly string[] | undefined;
}

/** The payload's `method`, checked first (10004) when the route declares one: the documented order (docs/protocol.md, "Error codes"). */
function checkMethod(route: OpenApiRoute, request: FastifyRequest): void {
  const methods = declaredMethods(route);
  if (methods) methodOf(request, methods);
}

/** The `machine_no` a route on a machine names (10001 if malformed): in its path (`/rent/machines/:machine_no`) or its payload. */
function machineNoOf(route: OpenApiRoute, request: FastifyRequest, params: Params): string {
  return route.url.includes(':machine_no') ? machineNoField(params.machine_no ?? '') : request.payload.machineNo();
}

/**
 * A read, in the documented order: `method`, then, on a machine, `machine_no`, the route's
 * other fields (its handler's first part), the merchant's machine (30003), and its rule.
 */
async function read(route: ReadRoute, request: FastifyRequest, params: Params, deps: OpenApiDeps): Promise<unknown> {
  checkMethod(route, request);
  if (route.machine !== true) return route.read(request, params);
  const machineNo = machineNoOf(route, request, params);
  const onMachine = route.read(request, params);
  return onMachine(await deps.machines.findOwned(deps.store.db, request.merchant.id, machineNo));
}

/**
 * A write, in its transaction and in the same order; the machine is found inside the
 * transaction (read on it when not cached), and the write's rules run there on what it found.
 */
async function write(route: WriteRoute, request: FastifyRequest, params: Params, work: Work, deps: OpenApiDeps): Promise<unknown> {
  checkMethod(route, request);
  if (route.machine !== true) return route.write(request, work, params);
  const machineNo = machineNoOf(route, request, params);
  const onMachine = route.write(request, params);
  return onMachine(work, await deps.machines.findOwned(work.trx, request.merchant.id, machineNo));
}

/** The refusals a route may answer: those it declares, and 30003 when it takes a machine. */
export function refusalsOf(route: OpenApiRoute): RefusalReason[] {
  return [...(route.machine ? (['machine-not-found'] as const) : []), ...(route.refuses ?? [])];
}

/**
 * A refusal the route does not declare is a programming error, as reading a field it does
 * not declare is (domain/fields.ts): the reference would leave its code out.
 */
async function answering(route: OpenApiRoute, handler: () => Promise<unknown>): Promise<unknown> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof Refused && !refusalsOf(route).includes(error.refusal.refused)) {
      throw new Error(`${route.method} ${route.url} answered the refusal ${error.refusal.refused}, which it does not declare`);
    }
    throw error;
  }
}
