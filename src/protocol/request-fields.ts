/**
 * The payload fields an Open API route reads, declared next to the route (routes/*.ts) and
 * used twice from that one declaration: the route's payload reader refuses to read a field
 * its route did not declare (domain/fields.ts), so a route cannot read a field the reference
 * leaves out; and the OpenAPI document (http/openapi-document.ts) describes each operation's
 * decoded payload from it. The formats are those of domain/fields.ts's readers.
 */
import { EXTENSION, type JsonSchema } from './schema-parts.js';

export interface FieldDeclaration {
  schema: JsonSchema;
  /** Refused (10001) when absent or empty. */
  required: boolean;
  description?: string;
  /** The payload `method`s that read it; absent: every method of the route. */
  methods?: readonly string[];
  /** Optional in general, required by these methods. */
  requiredFor?: readonly string[];
}

export type RouteFields = Readonly<Record<string, FieldDeclaration>>;

interface FieldOptions {
  description?: string;
  methods?: readonly string[];
  /** A vendcloud extension, not in the original's pages. */
  extension?: boolean;
  /** Optional in general, required by these methods. */
  requiredFor?: readonly string[];
}

function declare(schema: JsonSchema, required: boolean, options: FieldOptions): FieldDeclaration {
  const description = [options.extension ? EXTENSION : undefined, options.description].filter(Boolean).join(': ');
  return {
    schema,
    required,
    ...(description ? { description } : {}),
    ...(options.methods ? { methods: options.methods } : {}),
    ...(options.requiredFor ? { requiredFor: options.requiredFor } : {}),
  };
}

/** A field the route refuses to do without. */
export function needs(schema: JsonSchema, options: FieldOptions = {}): FieldDeclaration {
  return declare(schema, true, options);
}

/** A field the route reads when given. */
export function takes(schema: JsonSchema, options: FieldOptions = {}): FieldDeclaration {
  return declare(schema, false, options);
}

/** Every value of the payload is text on the wire (PROTOCOL.md §2). */
export const FIELD = {
  machineNo: { type: 'string', pattern: '^[0-9]{8,32}$' },
  id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
  integer: (minimum: number, maximum: number): JsonSchema => ({ type: 'string', pattern: '^[0-9]{1,16}$', description: `an integer from ${minimum} to ${maximum}` }),
  text: { type: 'string', minLength: 1 },
  oneOf: (values: readonly string[]): JsonSchema => ({ type: 'string', enum: values }),
  wallTime: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' },
  day: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
  code: { type: 'string', pattern: '^[0-9]{6,10}$' },
  codePrefix: { type: 'string', pattern: '^[0-9]{1,10}$' },
  tradeId: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,32}$' },
  httpUrl: { type: 'string', format: 'uri', maxLength: 1024, pattern: '^https?://' },
  idList: { type: 'string', pattern: '^[1-9][0-9]{0,15}( *, *[1-9][0-9]{0,15})*$' },
} as const satisfies Record<string, JsonSchema | ((...args: never[]) => JsonSchema)>;

/** The fields authentication reads in every signed payload (merchant-auth.ts), whatever the route. */
export const SIGNED_FIELDS: RouteFields = {
  timestamp: needs({ type: 'string', pattern: '^[0-9]{1,12}$' }, { description: 'Unix seconds; refused (10003) beyond the server\'s window' }),
  sign: needs({ type: 'string', pattern: '^[0-9a-fA-F]{32}$' }, { description: 'MD5 of the sorted fields and the merchant id (PROTOCOL.md §2)' }),
  nonce: takes({ type: 'string', minLength: 1, maxLength: 64 }, { extension: true, description: 'idempotency key: the same write sent again is answered once' }),
};

/** `page` and `per_page` as `PayloadReader.paging` reads them. */
export const PAGING_FIELDS: RouteFields = {
  page: takes(FIELD.integer(1, 1_000_000), { description: 'from 1 (default 1)' }),
  per_page: takes(FIELD.integer(1, 1_000_000), { description: 'default 10, at most 100 (more is capped)' }),
};
