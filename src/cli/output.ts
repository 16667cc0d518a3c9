/** How every command talks: one JSON line with --json, readable text otherwise; exit codes. */
import { InvalidArgumentError } from 'commander';

export const EXIT = { OK: 0, API_ERROR: 1, USAGE: 2, NETWORK: 3 } as const;

/** A usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function emit(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

export function fail(message: string, exitCode: number): never {
  process.stderr.write(`vendcloud: ${message}\n`);
  process.exit(exitCode);
}

export function parseWholeNumber(min: number) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return Number(value);
  };
}

export function parseOnOff(value: string): boolean {
  if (value === 'on' || value === 'yes') return true;
  if (value === 'off' || value === 'no') return false;
  throw new InvalidArgumentError('must be on or off');
}

/** Where the database is: --db, else VENDCLOUD_DB, else DATABASE_URL, else a file under ./data. */
export function defaultDb(): string {
  return process.env.VENDCLOUD_DB || process.env.DATABASE_URL || 'data/vendcloud.sqlite';
}
