/**
 * The OpenAPI 3.1 document of the Open API, generated, never written by hand: the operations
 * are the routes as registered (open-api-route.ts collects them), each operation's decoded
 * payload is the fields its route declares and reads (protocol/request-fields.ts), and its
 * answers are the JSON Schemas every test checks answers against (protocol/responses.ts).
 * A route without a documented answer stops the document from being made, so the reference
 * cannot leave a route out.
 */
import { API_PREFIX } from '../protocol/endpoints.js';
import { ERROR_CATALOGUE, ErrorCode } from '../protocol/errors.js';
import { FIELD, SIGNED_FIELDS, type RouteFields } from '../protocol/request-fields.js';
import { FAILURE_ENVELOPE, OPEN_API_RESPONSES, successEnvelope, type JsonSchema, type ResponseShape } from '../protocol/responses.js';
import type { OpenApiRoute } from './open-api-route.js';

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
  const methods = (fields.method?.schema.enum as readonly string[] | undefined) ?? [];
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
    responses: {
      200: { description: 'Success: code 0', content: { 'application/json': { schema: successEnvelope(successData(shape)) } } },
      default: { description: 'A failure: a code of the catalogue, data {}', content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } } },
    },
  };
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
