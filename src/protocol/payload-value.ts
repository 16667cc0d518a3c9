/**
 * What a decoded payload holds, on its own so that the payload codec and the signature
 * (which signs these values) can both name it without importing each other.
 */
/**
 * A decoded value: a string (a JSON number becomes its decimal text), null, or, since
 * go-pansy/pansy and kit.js sign nested objects and arrays member by member, one of those.
 */
export type PayloadValue = string | null | readonly PayloadValue[] | { readonly [name: string]: PayloadValue };

/** Decoded payload: the fields as sent. Readers take strings from it (src/domain/fields.ts). */
export type Payload = Readonly<Record<string, PayloadValue>>;
