/**
 * Wall-clock times as the protocol writes them: `YYYY-MM-DD HH:mm:ss` in the platform
 * time zone (default Asia/Shanghai). Internally every instant is Unix seconds.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws RangeError for a name Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function wallParts(unixSeconds: number, timeZone: string): number[] {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(unixSeconds * 1000))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Recently formatted times: Intl's formatToParts is the slowest step of a code listing, and
 * codes created together share their times. Bounded, so any mix of times stays small.
 */
const formatted = new Map<string, string>();
const MAX_FORMATTED = 10_000;

export function formatWallTime(unixSeconds: number, timeZone = DEFAULT_TIME_ZONE): string {
  const key = `${timeZone} ${unixSeconds}`;
  let text = formatted.get(key);
  if (text === undefined) {
    const [y, mo, d, h, mi, s] = wallParts(unixSeconds, timeZone);
    text = `${pad(y!, 4)}-${pad(mo!)}-${pad(d!)} ${pad(h!)}:${pad(mi!)}:${pad(s!)}`;
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** A time that may be absent (never seen, never expires): null stays null. */
export function formatOptionalWallTime(unixSeconds: number | null, timeZone = DEFAULT_TIME_ZONE): string | null {
  return unixSeconds === null ? null : formatWallTime(unixSeconds, timeZone);
}

/** The calendar day `YYYY-MM-DD` in the zone: how an order's `date` is written. */
export function formatWallDay(unixSeconds: number, timeZone = DEFAULT_TIME_ZONE): string {
  return formatWallTime(unixSeconds, timeZone).slice(0, 10);
}

/**
 * Parses a wall time in the zone to Unix seconds; undefined when malformed or not a real
 * calendar moment (2024-02-30, 25:00:00). In a DST gap the later offset is used.
 */
export function parseWallTime(text: string, timeZone = DEFAULT_TIME_ZONE): number | undefined {
  const match = WALL_TIME.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
  const check = new Date(asUtc * 1000);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  // Two rounds of "guess, see what wall time it gives, correct by the difference"
  // settle on the zone's offset at that moment.
  let guess = asUtc;
  for (let round = 0; round < 2; round++) {
    const [gy, gmo, gd, gh, gmi, gs] = wallParts(guess, timeZone);
    const seen = Date.UTC(gy!, gmo! - 1, gd!, gh!, gmi!, gs!) / 1000;
    guess += asUtc - seen;
  }
  return guess;
}

/**
 * The calendar day `YYYY-MM-DD` in the zone as Unix seconds [from, to): its midnight and the
 * next day's (23 or 25 hours apart across a DST change); undefined when not a real day.
 */
export function wallDayRange(day: string, timeZone = DEFAULT_TIME_ZONE): { from: number; to: number } | undefined {
  const from = parseWallTime(`${day} 00:00:00`, timeZone);
  if (from === undefined) return undefined;
  const next = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)) + 1)).toISOString().slice(0, 10);
  return { from, to: parseWallTime(`${next} 00:00:00`, timeZone)! };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
