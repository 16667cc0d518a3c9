import type { Dialect } from '../store/migrations.js';
import type { Machine } from '../store/schema.js';

/** Who asked for a change, recorded in every history row it writes. */
export interface Actor {
  /** e.g. `merchant:3`, `machine:12345678`, `admin`. */
  readonly name: string;
  readonly requestId: string | null;
}

export interface ChangeContext {
  readonly actor: Actor;
  readonly now: number;
  readonly dialect: Dialect;
}

export type MachineRef = Pick<Machine, 'id' | 'machine_no' | 'time_zone' | 'merchant_id' | 'pickup_codes_enabled' | 'operating'>;
