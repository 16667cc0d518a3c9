import type { Author } from '../store/repositories/history.repository.js';
import type { MachineRef } from '../store/repositories/machines.repository.js';

export type { MachineRef };

/** Who asked for a change, recorded in every history row it writes. */
export interface Actor {
  /** e.g. `merchant:3`, `machine:12345678`, `admin`. */
  readonly name: string;
  readonly requestId: string | null;
}

export interface ChangeContext {
  readonly actor: Actor;
  readonly now: number;
}

/** The author of every history row a change writes. */
export function authorOf(context: ChangeContext): Author {
  return { actor: context.actor.name, requestId: context.actor.requestId, at: context.now };
}
