/**
 * Checks every Open API answer a test receives against its shape in protocol/responses.ts,
 * so no change can drift from the docs' field tables unnoticed. Test servers run it on each
 * answer they send (ShapeCheck, failing at close); `call` runs it on each answer it gets.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { extractPayload } from '../../src/http/request-payload.js';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/protocol/errors.js';
import { decodePayload } from '../../src/protocol/payload.js';
import { FAILURE_ENVELOPE, OPEN_API_RESPONSES, successEnvelope, type JsonSchema, type ResponseShape } from '../../src/protocol/responses.js';

/** One answer as it went over the wire. */
export interface Exchange {
  verb: string;
  /** The request's path, with API_PREFIX, with or without a query string. */
  url: string;
  /** The payload's `method`, when the request had a readable one. */
  method: string | undefined;
  status: number;
  body: string;
}

/** Under API_PREFIX, the reference of the API rather than the API: GET /openapi.json and GET /docs. */
const REFERENCE_PATHS = ['/openapi.json', '/docs'];

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

const routes = OPEN_API_RESPONSES.map((shape) => ({
  shape,
  pattern: new RegExp(`^${shape.path.replace(/:[a-z_]+/g, '[^/]+')}$`),
}));

function shapeOf(verb: string, path: string): ResponseShape | undefined {
  return routes.find((route) => route.shape.verb === verb && route.pattern.test(path))?.shape;
}

const successSchemas = new Map<JsonSchema, JsonSchema>();

/** The success envelope of that route and `method`, or why there is none. */
function successSchemaFor(verb: string, path: string, method: string | undefined): JsonSchema | string {
  const shape = shapeOf(verb, path);
  if (!shape) return `no response shape is written down for ${verb} ${path}`;
  const data = 'dataByMethod' in shape ? shape.dataByMethod[method ?? ''] : shape.data;
  if (!data) return `no response shape is written down for ${verb} ${path} with method ${method}`;
  let envelope = successSchemas.get(data);
  if (!envelope) {
    envelope = successEnvelope(data);
    successSchemas.set(data, envelope);
  }
  return envelope;
}

function schemaErrors(schema: JsonSchema, value: unknown): string[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}

/** What is wrong with one answer: nothing when it has its documented shape. */
export function shapeViolations(exchange: Exchange): string[] {
  const path = exchange.url.split('?')[0]!;
  if (!path.startsWith(API_PREFIX)) return [];
  // The API's reference (the OpenAPI document and its page) is not an Open API answer.
  if (exchange.verb === 'GET' && REFERENCE_PATHS.includes(path.slice(API_PREFIX.length))) return [];
  const where = `${exchange.verb} ${path}${exchange.method ? ` (${exchange.method})` : ''} → HTTP ${exchange.status}`;
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return [`${where}: not JSON: ${exchange.body.slice(0, 200)}`];
  }
  const problems: string[] = [];
  if (body?.code === 0) {
    const schema = successSchemaFor(exchange.verb, path.slice(API_PREFIX.length), exchange.method);
    if (typeof schema === 'string') problems.push(schema);
    else problems.push(...schemaErrors(schema, body));
    if (exchange.status !== 200) problems.push(`a success answered with HTTP ${exchange.status}`);
  } else {
    problems.push(...schemaErrors(FAILURE_ENVELOPE, body));
    const entry = ERROR_CATALOGUE[body?.code as ErrorCode];
    if (entry && entry.httpStatus !== exchange.status) problems.push(`code ${body.code} must be HTTP ${entry.httpStatus}`);
    if (entry && typeof body.message === 'string' && body.message !== entry.message && !body.message.startsWith(`${entry.message}: `)) {
      problems.push(`code ${body.code} must say "${entry.message}" (details after ": "), not "${body.message}"`);
    }
  }
  return problems.map((problem) => `${where}: ${problem}\n  ${exchange.body.slice(0, 500)}`);
}

/** The `method` a request's payload names, read the way the server reads it; undefined when unreadable. */
export function payloadMethod(body: unknown, contentType: string | undefined, query: unknown): string | undefined {
  try {
    const method = decodePayload(extractPayload(body, contentType, query)).method;
    return typeof method === 'string' ? method : undefined;
  } catch {
    return undefined;
  }
}

/** Watches every answer a server sends and fails loudly at the end if any had the wrong shape. */
export class ShapeCheck {
  readonly violations: string[] = [];

  watch(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
      const method = payloadMethod(request.body, request.headers['content-type'], request.query);
      const exchange = { verb: request.method, url: request.url, method, status: reply.statusCode };
      if (body === undefined) this.violations.push(...shapeViolations({ ...exchange, body: `(a ${typeof payload} body, not JSON text)` }));
      else this.violations.push(...shapeViolations({ ...exchange, body }));
      return payload;
    });
  }

  /** Throws, listing them, when any answer broke its shape. */
  assertNone(): void {
    if (this.violations.length > 0) {
      throw new Error(`answers broke their documented shape (src/protocol/responses.ts):\n${this.violations.join('\n')}`);
    }
  }
}
