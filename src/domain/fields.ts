/**
 * Reading and validating payload fields. Every rule about what a field may hold lives
 * here once; a violation is a 10001 naming the field.
 */
import { invalidField } from '../protocol/errors.js';
import type { Payload, PayloadValue } from '../protocol/payload.js';
import { parseWallTime } from '../protocol/time.js';

const MACHINE_NO = /^[0-9]{8,32}$/;
const POSITIVE_ID = /^[1-9][0-9]{0,15}$/;
const DIGITS = /^[0-9]{1,16}$/;
const TRADE_ID = /^[A-Za-z0-9_-]{20,32}$/;
const CODE = /^[0-9]{6,10}$/;
const CODE_PREFIX = /^[0-9]{1,10}$/;

export function isMachineNo(text: string): boolean {
  return MACHINE_NO.test(text);
}

/** A pickup code as a customer types it: 6 to 10 digits. */
export function isPickupCode(text: string): boolean {
  return CODE.test(text);
}

/** machine.md: cabinets are named A (the main one) to Z. */
export function isCabinetName(text: string): boolean {
  return /^[A-Z]$/.test(text);
}

/** A channel holds at least one item. */
export function isCapacity(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}

/** Stock is a whole number from 0 to the channel's capacity. */
export function isInventoryWithin(inventory: number, capacity: number): boolean {
  return Number.isInteger(inventory) && inventory >= 0 && inventory <= capacity;
}

/** channel.debugging.md's floor_type: 1 motor, 2 electronic lock, 3 belt. */
export function isFloorType(value: number): boolean {
  return value === 1 || value === 2 || value === 3;
}

export function isPositiveId(text: string): boolean {
  return POSITIVE_ID.test(text) && Number.isSafeInteger(Number(text));
}

export function machineNoField(value: string): string {
  if (!isMachineNo(value)) throw invalidField('machine_no', 'must be a string of digits');
  return value;
}

export function idField(name: string, value: string): number {
  if (!isPositiveId(value)) throw invalidField(name, 'must be a positive integer');
  return Number(value);
}

export class PayloadReader {
  /**
   * `declared`: the fields the route declared (protocol/request-fields.ts); reading any other
   * is a programming error, so the route and its published reference never part ways.
   */
  constructor(
    private readonly payload: Payload,
    private readonly declared?: ReadonlySet<string>,
  ) {}

  /** What the request asks for: every non-empty field but `sign` and `timestamp`, which only say when and by whom. */
  content(): Payload {
    const asked: Record<string, PayloadValue> = {};
    for (const [name, value] of Object.entries(this.payload)) if (value !== '' && value !== null && name !== 'sign' && name !== 'timestamp') asked[name] = value;
    return asked;
  }

  /**
   * A field the endpoint reads must be text. A nested object or array is refused by name
   * (its members are signed, but no endpoint field has a nested meaning); nested values in
   * fields no endpoint reads are ignored, as every unknown field is.
   */
  optionalText(name: string): string | undefined {
    if (this.declared && !this.declared.has(name)) throw new Error(`the route reads the payload field ${name}, which it does not declare`);
    const value = this.payload[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw invalidField(name, 'must be a string, not an object or array');
    return value;
  }

  text(name: string): string {
    const value = this.optionalText(name);
    if (value === undefined) throw invalidField(name, 'is required');
    return value;
  }

  machineNo(): string {
    return machineNoField(this.text('machine_no'));
  }

  id(name: string): number {
    return idField(name, this.text(name));
  }

  optionalId(name: string): number | undefined {
    return this.optionalText(name) === undefined ? undefined : this.id(name);
  }

  /** An integer within [min, max], or the default when absent or empty. */
  integer(name: string, { min, max, fallback }: { min: number; max: number; fallback: number }): number {
    const value = this.optionalText(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!DIGITS.test(value) || number < min || number > max) throw invalidField(name, `must be an integer from ${min} to ${max}`);
    return number;
  }

  /** `page` from 1 and `per_page` (default 10), capped at 100 rather than refused. */
  paging(): { page: number; perPage: number } {
    return {
      page: this.integer('page', { min: 1, max: 1_000_000, fallback: 1 }),
      perPage: Math.min(100, this.integer('per_page', { min: 1, max: 1_000_000, fallback: 10 })),
    };
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.optionalText(name) ?? fallback;
    if (value === undefined) throw invalidField(name, 'is required');
    if (!(allowed as readonly string[]).includes(value)) throw invalidField(name, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  /** A future wall time in the zone, or null (never expires) when absent or empty. */
  futureWallTime(name: string, timeZone: string, now: number): number | null {
    const value = this.optionalText(name);
    if (value === undefined) return null;
    const at = parseWallTime(value, timeZone);
    if (at === undefined) throw invalidField(name, 'must be YYYY-MM-DD HH:mm:ss');
    if (at <= now) throw invalidField(name, 'must be in the future');
    return at;
  }

  pickupCode(): string {
    const value = this.text('code');
    if (!isPickupCode(value)) throw invalidField('code', 'must be 6 to 10 digits');
    return value;
  }

  /** `code` as the start of a code to search for, or undefined when absent. */
  optionalCodePrefix(): string | undefined {
    const value = this.optionalText('code');
    if (value !== undefined && !CODE_PREFIX.test(value)) throw invalidField('code', 'must be 1 to 10 digits');
    return value;
  }

  tradeId(): string {
    const value = this.text('trade_id');
    if (!TRADE_ID.test(value)) throw invalidField('trade_id', 'must be 20 to 32 letters, digits, _ or -');
    return value;
  }

  httpUrl(name: string): string {
    const value = this.text(name);
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > 1024) {
      throw invalidField(name, 'must be an http or https URL');
    }
    return value;
  }
}
