/**
 * Safe retries on request (PROTOCOL.md §2, issue 9). A signed write that carries an
 * idempotency key (a signed `nonce` in the payload, or an `Idempotency-Key` header) is
 * executed once per (merchant, key): its first answer is stored in the transaction of the
 * change, and a repeat asking the same thing gets that answer back; a repeat asking
 * something else is refused. A write without a key is executed every time, as on the
 * original platform, whose client libraries send no nonce: two identical creates in the
 * same second are two sales, not a sale and its retry. Stored answers survive restarts and
 * are shared by every instance on the same database.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError, invalidField, isBusinessFailure } from '../protocol/errors.js';
import type { Payload } from '../protocol/payload.js';
import * as answers from '../store/repositories/answers.repository.js';
import { choreAuthor, runChange } from '../service/runner.js';
import type { Author, Store, Work } from '../store/store.js';
import { asApiError } from './refusals.js';
import { failureAnswer, successAnswerInSlices, type Answer } from './reply.js';

export interface IdempotencyKey {
  /** Where the client put it, as refusals name it. */
  source: 'nonce' | 'Idempotency-Key';
  value: string;
}

/** As Stripe's Idempotency-Key; it also keeps the stored key within any index's limits. */
const MAX_KEY_LENGTH = 255;

/** How long an answer is kept at least; longer when the timestamp window is longer. */
const ANSWERS_KEPT_SECONDS = 24 * 3600;

/**
 * The request's key: the signed `nonce` when there is one (nothing on the way can change
 * it), else the header. An empty value is no key, as an empty field is no field.
 */
export function idempotencyKeyOf(nonce: string | undefined, header: string | undefined): IdempotencyKey | undefined {
  if (nonce) return { source: 'nonce', value: nonce };
  return header ? { source: 'Idempotency-Key', value: header } : undefined;
}

/**
 * What a request asks for: its route and its fields but `sign` and `timestamp`, which
 * differ between two sendings of one request (a client re-signing its retry).
 */
function fingerprintOf(route: string, fields: Payload): string {
  const asked = Object.keys(fields)
    .sort()
    .map((name) => [name, fields[name]]);
  return createHash('sha256').update(JSON.stringify([route, asked])).digest('hex');
}

interface Keyed {
  merchantId: number;
  key: IdempotencyKey;
  fingerprint: string;
  /** Who asks, and when: the request's change and its stored answer are written by it. */
  author: Author;
}

export class AnsweredRequests {
  /** A stored answer outlives the timestamp window, so a replay is refused as stale before it can run again. */
  readonly retentionSeconds: number;

  constructor(
    private readonly store: Store,
    timestampWindowSeconds: number,
  ) {
    this.retentionSeconds = Math.max(ANSWERS_KEPT_SECONDS, timestampWindowSeconds);
  }

  /**
   * Runs a signed write and returns its answer. With a key, `change` runs once per
   * (merchant, key); business failures (HTTP 200, non-zero code) are stored too, so a retry
   * sees the same outcome; request faults (4xx) are not, so a corrected request may use the
   * key again. `author` writes the change (and the stored answer).
   */
  async answer(request: FastifyRequest, route: string, author: Author, change: (work: Work) => Promise<unknown>): Promise<Answer> {
    const key = request.idempotencyKey;
    // Strict replay protection wants the key signed: a header can be added to captured bytes.
    if (request.merchant.require_nonce && key?.source !== 'nonce') {
      throw invalidField('nonce', 'is required: this merchant accepts no signed write without a nonce in its payload');
    }
    // No key: nothing to look up and nothing to store.
    if (key === undefined) return successAnswerInSlices(await runChange(this.store, author, change));
    if (key.value.length > MAX_KEY_LENGTH) throw invalidField(key.source, `must be at most ${MAX_KEY_LENGTH} characters`);
    return this.answerOnce({ merchantId: request.merchant.id, key, fingerprint: fingerprintOf(route, request.payload.content()), author }, change);
  }

  private async answerOnce(keyed: Keyed, change: (work: Work) => Promise<unknown>): Promise<Answer> {
    const earlier = await this.find(keyed);
    if (earlier) return repeatOf(earlier, keyed);
    try {
      return await runChange(this.store, keyed.author, async (work) => {
        const answer = await successAnswerInSlices(await change(work));
        // A concurrent twin got here first (its row blocks ours until it commits):
        // throwing rolls back this request's change, and the twin's answer is returned.
        if (!(await this.record(work, keyed, answer.text))) throw new AnsweredMeanwhile();
        return answer;
      });
    } catch (error) {
      if (error instanceof AnsweredMeanwhile) return repeatOf((await this.find(keyed))!, keyed);
      const refusal = asApiError(error);
      if (!(refusal instanceof ApiError) || !isBusinessFailure(refusal.code)) throw error;
      const answer = failureAnswer(refusal);
      const recorded = await runChange(this.store, keyed.author, (work) => this.record(work, keyed, answer.text));
      return recorded ? answer : repeatOf((await this.find(keyed))!, keyed);
    }
  }

  private async find(keyed: Keyed): Promise<{ fingerprint: string; response: string } | undefined> {
    return answers.find(this.store.db, keyed.merchantId, keyed.key.value);
  }

  /** False when an answer was stored first by a concurrent twin. */
  private async record(work: Work, keyed: Keyed, response: string): Promise<boolean> {
    return answers.insert(work.trx, keyed.merchantId, keyed.key.value, { fingerprint: keyed.fingerprint, response }, work.now);
  }

  async purge(now: number): Promise<number> {
    return runChange(this.store, choreAuthor(now), (work) => answers.purgeAnsweredBefore(work.trx, work.now - this.retentionSeconds));
  }
}

/**
 * The stored answer, for a repeat that asks the same thing. The same key on another request
 * is the client's mistake (a key reused, or a retry whose fields changed): a 10001 naming
 * the key, like any invalid field, and a 4xx so that the PHP library's Guzzle throws rather
 * than taking the first request's answer for this one's.
 */
function repeatOf(earlier: { fingerprint: string; response: string }, keyed: Keyed): Answer {
  if (earlier.fingerprint !== keyed.fingerprint) {
    throw invalidField(keyed.key.source, `"${keyed.key.value}" was used before by a request with other fields`);
  }
  // Only answers sent with HTTP 200 are stored (successes and business refusals).
  return { httpStatus: 200, code: (JSON.parse(earlier.response) as { code: number }).code, text: earlier.response };
}

class AnsweredMeanwhile extends Error {}
