/**
 * A machine message's age (docs/security.md, "The machine link"): a signed message recorded
 * off the wire and published again days later (a redemption report, a heartbeat) is dropped
 * when its `timestamp` (Unix seconds, as MACHINE-LINK.md gives it) is further from the
 * server's clock than the window. The window is generous because machines' clocks drift and
 * some run for days before they sync; a timestamp that is not a number is left to the other
 * checks, as it was before this one.
 */
const SECONDS = /^[0-9]{1,12}$/;

export function isFarOff(fields: Record<string, string>, now: number, windowSeconds: number): boolean {
  const timestamp = fields.timestamp ?? '';
  return windowSeconds > 0 && SECONDS.test(timestamp) && Math.abs(now - Number(timestamp)) > windowSeconds;
}
