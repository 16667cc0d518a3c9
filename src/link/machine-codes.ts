/** The codes a machine holds, as the server's create and sync messages carry them (MACHINE-LINK.md). */

/** A code as the machine holds it (MACHINE-LINK.md, create and sync). */
export interface MachineCode {
  id: string;
  product_id: string;
  code: string;
  quantity: string;
  /** Milliseconds; "0" = never expires. */
  expired_at: string;
  expired_day: string;
}

export function toMachineCode(value: unknown): MachineCode | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const text = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : '');
  if (!text('id') || !text('code')) return undefined;
  return {
    id: text('id'),
    product_id: text('product_id'),
    code: text('code'),
    quantity: text('quantity') || '1',
    expired_at: text('expired_at') || '0',
    expired_day: text('expired_day'),
  };
}

/** The list of a `client.pickup_codes.sync` message (JSON text); undefined when it is not a list. */
export function syncedCodes(text: string | undefined): MachineCode[] | undefined {
  let entries: unknown;
  try {
    entries = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  return entries.map(toMachineCode).filter((code): code is MachineCode => code !== undefined);
}

/**
 * Ids this machine vended. A sync the server computed before it processed the machine's
 * put still lists such a code; it must never come back to the keypad.
 */
export class VendedIds {
  private readonly ids = new Set<string>();

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    this.ids.add(id);
    // Ids only grow, so the oldest ones can no longer be offered again by the time they go.
    if (this.ids.size > 10_000) this.ids.delete(this.ids.values().next().value!);
  }
}
