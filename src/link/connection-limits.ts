/**
 * What one connection may cost the embedded broker before and after it logs in: the
 * connections still logging in are capped (each may hold a CONNECT of a few KiB and a
 * database lookup), and a machine's messages are metered by a token bucket, so a machine
 * that floods the server topic is disconnected instead of queueing work for the inbox.
 */
import type { Socket } from 'node:net';

/** Counts the connections that have not logged in yet and refuses those over the cap. */
export class PendingConnections {
  private readonly pending = new Set<Socket>();

  constructor(private readonly cap: number) {}

  /** False (and the socket destroyed) when the cap is reached; otherwise it counts until it logs in or closes. */
  admit(socket: Socket): boolean {
    if (this.pending.size >= this.cap) {
      socket.destroy();
      return false;
    }
    this.pending.add(socket);
    socket.once('close', () => this.pending.delete(socket));
    return true;
  }

  loggedIn(socket: unknown): void {
    this.pending.delete(socket as Socket);
  }
}

/** A token bucket: `burst` messages at once, refilled at `perSecond`. */
export class MessageRate {
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
  }

  /** Takes one token; false when there is none (the message is over the rate). */
  take(nowMs = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
