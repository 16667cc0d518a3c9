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

/** "1 code", "3 codes": a count with its noun for a person. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
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

/** Columns a string takes in a terminal: CJK and fullwidth characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** A time's column in a table, headed with the zone its platform times are in: `CREATED (Asia/Shanghai)`. */
export function timeColumn(name: string, timeZone: string): string {
  return `${name} (${timeZone})`;
}

/** A plain text table: a header row, then one row per record, columns padded to fit. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
