/**
 * The OpenAPI 3.1 document of the Open API, generated, never written by hand: the operations
 * are the routes as registered (open-api-route.ts collects them), each operation's decoded
 * payload is the fields its route declares and reads (protocol/request-fields.ts), and its
 * answers are the JSON Schemas every test checks answers against (protocol/responses.ts),
 * and its error codes follow from what its declaration says it goes through (errorCodesOf).
 * A route without a documented answer stops the document from being made, so the reference
 * cannot leave a route out.
 */
import { API_PREFIX } from '../protocol/endpoints.js';
import { ERROR_CATALOGUE, ErrorCode } from '../protocol/errors.js';
import { FIELD, SIGNED_FIELDS, type RouteFields } from '../protocol/request-fields.js';
import { FAILURE_ENVELOPE, OPEN_API_RESPONSES, successEnvelope, type JsonSchema, type ResponseShape } from '../protocol/responses.js';
import { AUTHENTICATION_CODES, SIGNED_PAYLOAD_CODES } from './merchant-auth.js';
import { declaredMethods, refusalsOf, type OpenApiRoute } from './open-api-route.js';
import { REFUSAL_CODES } from './refusals.js';

/**
 * What any request may meet whatever its route (app.ts): a body Fastify refuses (400), a
 * request too slow to arrive (408), the store unavailable or the server closing (503), and
 * the unexpected (500).
 */
const EVERY_REQUEST_CODES: readonly ErrorCode[] = [ErrorCode.BAD_REQUEST, ErrorCode.REQUEST_TIMEOUT, ErrorCode.INTERNAL_ERROR, ErrorCode.SERVICE_UNAVAILABLE];

/**
 * The codes an operation may answer, from its declaration: authentication's (and a signed
 * payload's), the payload `method`'s when it declares one, 10001 when it reads fields or path
 * parameters, its guard's, and its refusals' through refusals.ts (30003 for a route on a machine).
 */
export function errorCodesOf(route: OpenApiRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>([...EVERY_REQUEST_CODES, ...AUTHENTICATION_CODES, ...(route.guard?.codes ?? [])]);
  if (route.signed) for (const code of SIGNED_PAYLOAD_CODES) codes.add(code);
  if (route.signed || route.url.includes(':')) codes.add(ErrorCode.FIELD_INVALID);
  if (declaredMethods(route)) codes.add(ErrorCode.METHOD_INVALID);
  for (const reason of refusalsOf(route)) codes.add(REFUSAL_CODES[reason]);
  return [...codes].sort((a, b) => a - b);
}

const DESCRIPTION = [
  'The Open API of vendcloud, a compatible clone of the original vending cloud\'s API (docs/protocol.md).',
  'Every request carries the headers `Appid` and `AppSecret`. A signed request sends its fields as `payload`: base64 of a JSON object',
  'holding the fields, `timestamp` and `sign` (MD5 of the sorted fields and the merchant id). Every answer is the envelope',
  '`{code, message, data}`; `code` 0 is success, any other is a failure of the catalogue below, `data` then `{}`.',
  'A zero value (0, "", false, an empty list or object) is left out of `data`.',
  '',
  '| code | HTTP | message |',
  '|---|---|---|',
  ...Object.entries(ERROR_CATALOGUE)
    .filter(([code]) => Number(code) !== ErrorCode.OK)
    .map(([code, entry]) => `| ${code} | ${entry.httpStatus} | ${entry.message} |`),
].join('\n');

/** `/products/:product_id/pickup_code` → `/products/{product_id}/pickup_code`. */
function openApiPath(url: string): string {
  return `${API_PREFIX}${url.replace(/:([a-z_]+)/g, '{$1}')}`;
}

function pathParameters(url: string): object[] {
  return [...url.matchAll(/:([a-z_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'machine_no' ? FIELD.machineNo : FIELD.id,
  }));
}

function fieldsObject(fields: RouteFields, method?: string): JsonSchema {
  const chosen = Object.entries(fields).filter(([name, field]) => name !== 'method' && (method === undefined || !field.methods || field.methods.includes(method)));
  const properties: Record<string, JsonSchema> = Object.fromEntries(
    chosen.map(([name, field]) => [name, { ...field.schema, ...(field.description ? { description: field.description } : {}) }]),
  );
  const required = chosen.filter(([, field]) => field.required || (method !== undefined && field.requiredFor?.includes(method))).map(([name]) => name);
  if (method !== undefined) {
    properties.method = { type: 'string', const: method };
    required.unshift('method');
  }
  return { type: 'object', properties, required };
}

/** The decoded payload: one object, or one per payload `method` when the route takes several. */
function payloadSchema(route: OpenApiRoute): JsonSchema {
  const fields: RouteFields = { ...SIGNED_FIELDS, ...route.fields };
  const methods = declaredMethods({ fields }) ?? [];
  if (methods.length === 0) return fieldsObject(fields);
  return methods.length === 1 ? fieldsObject(fields, methods[0]) : { oneOf: methods.map((method) => fieldsObject(fields, method)) };
}

function requestBody(route: OpenApiRoute): object {
  const body = {
    type: 'object',
    required: ['payload'],
    properties: { payload: { type: 'string', contentEncoding: 'base64', contentMediaType: 'application/json', contentSchema: payloadSchema(route) } },
  };
  return { required: true, content: { 'application/json': { schema: body }, 'application/x-www-form-urlencoded': { schema: body } } };
}

/** The `data` of a success: the one shape, or any of those of the route's methods. */
function successData(shape: ResponseShape): JsonSchema {
  if ('data' in shape) return shape.data;
  const distinct = [...new Map(Object.values(shape.dataByMethod).map((schema) => [JSON.stringify(schema), schema])).values()];
  return distinct.length === 1 ? distinct[0]! : { anyOf: distinct };
}

function operation(route: OpenApiRoute): object {
  const shape = OPEN_API_RESPONSES.find((candidate) => candidate.verb === route.method && candidate.path === route.url);
  if (!shape) throw new Error(`${route.method} ${route.url} has no documented answer in protocol/responses.ts`);
  const parameters = pathParameters(route.url);
  return {
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[/:]([a-z_]+)/g, (_, word: string) => `_${word}`)}`,
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.signed ? { requestBody: requestBody(route) } : {}),
    responses: responses(successEnvelope(successData(shape)), errorCodesOf(route)),
  };
}

function json(schema: JsonSchema): object {
  return { 'application/json': { schema } };
}

/** The failure envelope with one of these codes. */
function failure(codes: readonly ErrorCode[]): JsonSchema {
  return { allOf: [{ $ref: '#/components/schemas/Failure' }, { type: 'object', properties: { code: { enum: codes } } }] };
}

function listed(codes: readonly ErrorCode[]): string {
  return codes.map((code) => `${code} (${ERROR_CATALOGUE[code].message})`).join(', ');
}

/**
 * One response per HTTP status the operation may answer, each with the codes it carries. A
 * refusal of the rules is HTTP 200 like a success (docs/protocol.md), so 200 is either.
 */
function responses(success: JsonSchema, codes: readonly ErrorCode[]): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CATALOGUE[code].httpStatus, [...(byStatus.get(ERROR_CATALOGUE[code].httpStatus) ?? []), code]);
  const refusals = byStatus.get(200);
  const answers: Record<string, object> = {
    200: refusals
      ? { description: `Success: code 0; or a refusal of the rules: ${listed(refusals)}`, content: json({ oneOf: [success, failure(refusals)] }) }
      : { description: 'Success: code 0', content: json(success) },
  };
  for (const [status, carried] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (status !== 200) answers[status] = { description: `A failure: ${listed(carried)}`, content: json(failure(carried)) };
  }
  return answers;
}

export function openApiDocument(routes: readonly OpenApiRoute[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: { title: 'vendcloud Open API', version: '1', description: DESCRIPTION },
    security: [{ Appid: [], AppSecret: [] }],
    paths,
    components: {
      securitySchemes: {
        Appid: { type: 'apiKey', in: 'header', name: 'Appid' },
        AppSecret: { type: 'apiKey', in: 'header', name: 'AppSecret' },
      },
      schemas: { Failure: FAILURE_ENVELOPE },
    },
  };
}
