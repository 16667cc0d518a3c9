/**
 * The extended simulator's keypad lock (docs/security.md, "What firmware should do"): codes
 * typed on the keypad are checked against the machine's own list and never reach the
 * server's limit on `/consumes`, so the machine limits them itself. After `wrongCodes` wrong
 * codes in a row the keypad is locked for `lockSeconds`, doubled by each further wrong code
 * (to at most `maxLockSeconds`); a right code starts the count again. Each lock is reported
 * to the server with the extension `client.keypad.locked` (docs/mqtt.md), which tells the
 * merchant (`machine.keypad_locked`).
 */
import { KEYPAD_LOCK_FIELDS, MACHINE_METHOD } from '../protocol/machine-messages.js';

export interface KeypadLockOptions {
  /** Wrong codes in a row that lock the keypad (default 5). */
  wrongCodes?: number;
  /** The first lock (default 60 s). */
  lockSeconds?: number;
  /** The longest lock (default an hour). */
  maxLockSeconds?: number;
}

type Send = (method: string, body: Record<string, string>) => Promise<boolean>;

export class KeypadLock {
  private wrongInARow = 0;
  private lockedUntil = 0;
  /** Locks started, as reported (or not, while offline) to the server. */
  locks = 0;

  constructor(
    private readonly options: KeypadLockOptions,
    private readonly send: Send,
    private readonly log: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** True while locked: the keypad takes no code, right or wrong. */
  locked(): boolean {
    return this.clock() < this.lockedUntil;
  }

  /** A right code: the count starts again. */
  rightCode(): void {
    this.wrongInARow = 0;
  }

  /** A code the list does not hold: counted, and at the limit the keypad locks and says so. */
  async wrongCode(code: string): Promise<{ ok: false; reason: 'unknown code' }> {
    this.log(`refused ${code}: unknown code`);
    const limit = this.options.wrongCodes ?? 5;
    if (++this.wrongInARow < limit) return { ok: false, reason: 'unknown code' };
    const lockSeconds = Math.min(this.options.maxLockSeconds ?? 3600, (this.options.lockSeconds ?? 60) * 2 ** (this.wrongInARow - limit));
    this.lockedUntil = this.clock() + lockSeconds * 1000;
    this.locks++;
    this.log(`keypad locked for ${lockSeconds} s after ${this.wrongInARow} wrong codes in a row`);
    await this.send(MACHINE_METHOD.KEYPAD_LOCKED, { [KEYPAD_LOCK_FIELDS.wrongCodes]: String(this.wrongInARow), [KEYPAD_LOCK_FIELDS.lockSeconds]: String(lockSeconds) });
    return { ok: false, reason: 'unknown code' };
  }
}
