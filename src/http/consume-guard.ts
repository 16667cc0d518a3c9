/**
 * Code guessing through `/consumes` (docs/security.md, "Code guessing"): a six-digit code is
 * one of 900,000, so wrong codes (80002: no live code of that machine) are limited per
 * machine. A machine at its limit answers 10029 (429, Retry-After) until the window ends,
 * without its code being looked at; other machines are not affected.
 *
 * The misses are counted once answered, so a right code never counts. Each consume being
 * evaluated may still turn out a miss, so an instance lets a machine's consumes run side by
 * side only while the misses counted plus those in flight stay below `max`: a machine far
 * from its limit has up to `max` consumes in one group commit, one near it takes them one at
 * a time. A burst of concurrent guesses therefore meets the limit after `max` misses on one
 * instance, and after at most `max` more on each other instance counting in the same Redis.
 * The charge that reaches the limit tells the merchant (the `machine.code_guessing` event).
 */
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { EVENT_TYPE } from '../domain/callbacks.js';
import { ErrorCode } from '../protocol/errors.js';
import { queueMerchantEvent } from '../service/callbacks.js';
import { runChange } from '../service/runner.js';
import type { Store } from '../store/store.js';
import { merchantAuthor } from './merchant-auth.js';
import { refuseOverLimit, type Limit } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This consume's place among its machine's consumes in flight: left (its miss counted first) as it is answered. */
    consumeTurn?: { key: string; end: () => void };
  }
}

export interface ConsumeGuard {
  /** The codes it answers, listed in the reference (openapi-document.ts). */
  codes: readonly ErrorCode[];
  preHandler: preHandlerAsyncHookHandler;
  onSend: onSendHookHandler;
}

/** One machine's consumes on this instance. */
interface Flight {
  /** Consumes being evaluated: each may yet be a miss. */
  evaluated: number;
  /** Consumes that ended (their misses charged) so far: a count read across an end is stale. */
  ended: number;
  /** Consumes not yet answered, evaluated or not: the entry is dropped when none is left. */
  present: number;
  /** The consumes waiting for one being evaluated to end, first come first woken. */
  waiting: Array<() => void>;
}

export function consumeGuard(wrongCodes: Limit, store: Store): ConsumeGuard {
  const flights = new Map<string, Flight>();

  const leave = (key: string, flight: Flight, evaluated: boolean): void => {
    if (evaluated) {
      flight.evaluated--;
      flight.ended++;
    }
    flight.present--;
    // One place freed (or, after a refusal, the limit reached): the next in line reads the count again.
    flight.waiting.shift()?.();
    if (flight.present === 0) flights.delete(key);
  };

  const inLine = (flight: Flight): Promise<void> => new Promise<void>((resolve) => flight.waiting.push(resolve));

  /** Undefined when the consume may be evaluated; the seconds to wait when the machine is at its limit. */
  const enter = async (request: FastifyRequest, key: string): Promise<number | undefined> => {
    let flight = flights.get(key);
    if (!flight) flights.set(key, (flight = { evaluated: 0, ended: 0, present: 0, waiting: [] }));
    flight.present++;
    // First come, first evaluated: behind whoever waits already.
    if (flight.waiting.length > 0) await inLine(flight);
    for (;;) {
      const endedBefore = flight.ended;
      const misses = await wrongCodes.counted(key);
      // A consume ended while the count was read: its miss may not be in it.
      if (flight.ended !== endedBefore) continue;
      if (misses.count >= wrongCodes.max) {
        leave(key, flight, false);
        return misses.retryAfterSeconds;
      }
      if (misses.count + flight.evaluated < wrongCodes.max) {
        flight.evaluated++;
        // Room for more: the next in line comes too.
        if (misses.count + flight.evaluated < wrongCodes.max) flight.waiting.shift()?.();
        break;
      }
      await inLine(flight);
    }
    const entered = flight;
    request.consumeTurn = { key, end: () => leave(key, entered, true) };
    return undefined;
  };

  const tellMerchant = async (request: FastifyRequest, retryAfterSeconds: number): Promise<void> => {
    const machineNo = request.payload.optionalText('machine_no');
    request.log.warn({ merchant_id: request.merchant.id, machine_no: machineNo }, 'wrong pickup codes reached the limit; consumes refused');
    const data = { machine_no: machineNo, wrong_codes: wrongCodes.max, retry_after: retryAfterSeconds };
    await runChange(store, merchantAuthor(request), (work) => queueMerchantEvent(work, request.merchant.id, EVENT_TYPE.MACHINE_CODE_GUESSING, data));
  };

  return {
    codes: [ErrorCode.TOO_MANY_WRONG_CODES],
    async preHandler(request: FastifyRequest, reply: FastifyReply) {
      const machineNo = request.payload.optionalText('machine_no');
      if (wrongCodes.max <= 0 || machineNo === undefined) return;
      // Per merchant and machine: another merchant naming this machine_no cannot lock it.
      const key = `${request.merchant.id}:${machineNo}`;
      const wait = await enter(request, key);
      if (wait !== undefined) refuseOverLimit(reply, wait, ErrorCode.TOO_MANY_WRONG_CODES);
    },
    async onSend(request, reply, payload) {
      const turn = request.consumeTurn;
      if (!turn) return payload;
      try {
        if (reply.apiCode === ErrorCode.RECORD_NOT_FOUND) {
          const charged = await wrongCodes.charge(turn.key);
          if (charged.count === wrongCodes.max) await tellMerchant(request, charged.retryAfterSeconds).catch((error: unknown) => request.log.error({ err: error }, 'cannot queue machine.code_guessing'));
        }
      } finally {
        turn.end();
      }
      return payload;
    },
  };
}
