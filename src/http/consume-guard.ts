/**
 * Code guessing through `/consumes` (docs/security.md, "Code guessing"): a six-digit code is
 * one of 900,000, so wrong codes are limited per machine. Each consume is charged before its
 * code is looked at, so a burst of concurrent guesses cannot all be evaluated before the
 * first is counted; an attempt that was not a miss gives its charge back when answered.
 * Past the limit the machine's consumes answer 10029 (429, Retry-After) until the window
 * ends; other machines are not affected. The first refusal of a window tells the merchant
 * (the `machine.code_guessing` event).
 */
import type { FastifyReply, FastifyRequest, onResponseAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { EVENT_TYPE } from '../domain/callbacks.js';
import { ErrorCode } from '../protocol/errors.js';
import { queueMerchantEvent } from '../service/callbacks.js';
import type { Store } from '../store/store.js';
import { refuseOverLimit, type Limit } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The wrong-codes key this consume was charged to, to give back if it was no miss. */
    guessCharge?: string;
  }
}

/** The answers that mean "that code is not one you may consume": a miss. */
const MISSES: ReadonlySet<number> = new Set([ErrorCode.RECORD_NOT_FOUND, ErrorCode.PICKUP_CODE_EXPIRED, ErrorCode.PICKUP_CODE_USED]);

export interface ConsumeGuard {
  preHandler: preHandlerAsyncHookHandler;
  onResponse: onResponseAsyncHookHandler;
}

export function consumeGuard(wrongCodes: Limit, store: Store): ConsumeGuard {
  return {
    async preHandler(request: FastifyRequest, reply: FastifyReply) {
      const machineNo = request.payload.optionalText('machine_no');
      if (machineNo === undefined) return;
      // Per merchant and machine: another merchant naming this machine_no cannot lock it.
      const key = `${request.merchant.id}:${machineNo}`;
      const charged = await wrongCodes.charge(key);
      if (!charged.over) {
        request.guessCharge = key;
        return;
      }
      if (charged.count === wrongCodes.max + 1) {
        request.log.warn({ merchant_id: request.merchant.id, machine_no: machineNo }, 'wrong pickup codes over the limit; consumes refused');
        const context = { actor: { name: `merchant:${request.merchant.id}`, requestId: request.id }, now: request.now };
        const data = { machine_no: machineNo, wrong_codes: wrongCodes.max, retry_after: charged.retryAfterSeconds };
        await store.write((trx) => queueMerchantEvent(trx, context, request.merchant.id, EVENT_TYPE.MACHINE_CODE_GUESSING, data));
      }
      refuseOverLimit(reply, charged.retryAfterSeconds, ErrorCode.TOO_MANY_WRONG_CODES);
    },
    async onResponse(request: FastifyRequest, reply: FastifyReply) {
      if (request.guessCharge !== undefined && !MISSES.has(reply.apiCode ?? -1)) await wrongCodes.refund(request.guessCharge);
    },
  };
}
