/**
 * Reads the fields of one record of an import file (docs/import.md), noting each problem
 * under the record's JSON path and going on, so one pass lists every problem of a file.
 */
import { parseWallTime } from '../protocol/time.js';
import { hashSecret, isSecretHash } from './credentials.js';
import { parseCents } from './money.js';

export interface ImportProblem {
  /** Where in the file, e.g. `$.machines[2].machine_no`. */
  path: string;
  message: string;
}

type Flag = 0 | 1;

const MAX_TEXT = 1024;

/** Reads the fields of one record, noting each problem under the record's path. */
export class RecordReader {
  constructor(
    readonly path: string,
    private readonly record: Record<string, unknown>,
    private readonly problems: ImportProblem[],
  ) {}

  problem(field: string, message: string): void {
    this.problems.push({ path: `${this.path}.${field}`, message });
  }

  /** Whether this field of the record has a problem noted already (so a rule that depends on it is not checked against a stand-in). */
  failed(field: string): boolean {
    const path = `${this.path}.${field}`;
    return this.problems.some((problem) => problem.path === path);
  }

  private given(field: string): unknown {
    const value = this.record[field];
    return value === null ? undefined : value;
  }

  has(field: string): boolean {
    return this.given(field) !== undefined;
  }

  /** A positive whole number, written as a JSON number or a string of digits (the original's ids come both ways). */
  id(field: string): number {
    const value = this.given(field);
    const number = typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
      this.problem(field, value === undefined ? 'is required' : 'must be a positive integer');
      return 0;
    }
    return number;
  }

  text(field: string, { required = false, fallback = '' }: { required?: boolean; fallback?: string } = {}): string {
    const value = this.given(field);
    if (value === undefined || value === '') {
      if (required) this.problem(field, 'is required');
      return fallback;
    }
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') this.problem(field, 'must be a string');
    else if (value.length > MAX_TEXT) this.problem(field, `must be at most ${MAX_TEXT} characters`);
    else return value;
    return fallback;
  }

  flag(field: string, fallback: Flag): Flag {
    const value = this.given(field);
    if (value === undefined) return fallback;
    if (value === true || value === 1) return 1;
    if (value === false || value === 0) return 0;
    this.problem(field, 'must be true or false');
    return fallback;
  }

  /** A whole number from min to max, the fallback when absent. */
  integer(field: string, min: number, max: number, fallback?: number): number {
    const value = this.given(field);
    if (value === undefined && fallback !== undefined) return fallback;
    const number = typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      this.problem(field, value === undefined ? 'is required' : `must be an integer from ${min} to ${max}`);
      return fallback ?? min;
    }
    return number;
  }

  cents(field: string, fallback?: number): number {
    if (fallback !== undefined && !this.has(field)) return fallback;
    const cents = parseCents(this.text(field, { required: true }));
    if (cents === undefined && this.has(field)) this.problem(field, 'must be a decimal amount such as 1.00');
    return cents ?? 0;
  }

  /** A secret given in the clear (`field`) or as vendcloud stores it (`field_hash`, from an export): its hash. */
  secretHash(field: string): string {
    const clear = this.text(field);
    const hashed = this.text(`${field}_hash`);
    if (clear && hashed) this.problem(field, `give ${field} or ${field}_hash, not both`);
    else if (hashed && !isSecretHash(hashed)) this.problem(`${field}_hash`, 'must be sha256: followed by 64 lowercase hex digits');
    else if (!clear && !hashed) this.problem(field, `is required (or ${field}_hash)`);
    return clear ? hashSecret(clear) : hashed;
  }

  /** A wall time in the machine's zone (`YYYY-MM-DD HH:mm:ss`, as the API writes them), or null when absent and allowed. */
  wallTime(field: string, timeZone: string, nullable: boolean): number | null {
    const text = this.text(field, { required: !nullable });
    if (!text) return nullable ? null : 0;
    const at = parsedWallTime(text, timeZone);
    if (at === undefined) this.problem(field, 'must be YYYY-MM-DD HH:mm:ss');
    return at ?? 0;
  }
}

/** Codes made together share their times; Intl's parse is the slow step of a big file. */
const parsedTimes = new Map<string, number | undefined>();

function parsedWallTime(text: string, timeZone: string): number | undefined {
  const key = `${timeZone} ${text}`;
  if (!parsedTimes.has(key)) {
    if (parsedTimes.size >= 10_000) parsedTimes.clear();
    parsedTimes.set(key, parseWallTime(text, timeZone));
  }
  return parsedTimes.get(key);
}
