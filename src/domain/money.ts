/** Money is integer cents inside, a decimal string with two places on the wire ("3.50"). */

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

export function parseCents(text: string): number | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function formatCents(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
