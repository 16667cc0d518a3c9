/**
 * Code guessing through `/consumes` (docs/security.md, "Code guessing"): a six-digit code is
 * one of 900,000, so wrong codes (80002: no live code of that machine) are limited per
 * machine. A machine at its limit answers 10029 (429, Retry-After) until the window ends,
 * without its code being looked at; other machines are not affected.
 *
 * The misses are counted once answered, so a right code never counts; for the count to be
 * read before each code is evaluated, an instance takes a machine's consumes one at a time
 * (a machine vends one item at a time anyway). A burst of concurrent guesses therefore meets
 * the limit after `max` misses on one instance, and after at most `max` more on each other
 * instance counting in the same Redis. The charge that reaches the limit tells the merchant
 * (the `machine.code_guessing` event).
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
    /** This consume's turn on its machine: ended (and its miss counted) as it is answered. */
    consumeTurn?: { key: string; end: () => void };
  }
}

export interface ConsumeGuard {
  /** The codes it answers, listed in the reference (openapi-document.ts). */
  codes: readonly ErrorCode[];
  preHandler: preHandlerAsyncHookHandler;
  onSend: onSendHookHandler;
}

export function consumeGuard(wrongCodes: Limit, store: Store): ConsumeGuard {
  /** The last consume in line on each machine of this instance. */
  const lines = new Map<string, Promise<void>>();

  const takeTurn = async (request: FastifyRequest, key: string): Promise<void> => {
    const before = lines.get(key) ?? Promise.resolve();
    let end!: () => void;
    const mine = new Promise<void>((resolve) => (end = resolve));
    const last = before.then(() => mine);
    lines.set(key, last);
    request.consumeTurn = {
      key,
      end: () => {
        end();
        if (lines.get(key) === last) lines.delete(key);
      },
    };
    await before;
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
      await takeTurn(request, key);
      const wait = await wrongCodes.exhausted(key);
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
