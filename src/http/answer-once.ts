/**
 * Idempotent retries: the first answer to a signed write is stored under (merchant, sign)
 * in the same transaction as the change; a retry of that request gets the stored answer
 * back and changes nothing. Stored answers survive restarts and are shared by every
 * instance on the same database.
 */
import { ApiError, isBusinessFailure } from '../protocol/errors.js';
import { failure, omitEmpty, success } from '../protocol/envelope.js';
import { preparedQuery } from '../store/prepared.js';
import type { Store, Tx } from '../store/store.js';

const storedAnswer = preparedQuery((db, merchantId: number, sign: string) =>
  db.selectFrom('answered_requests').select('response').where('merchant_id', '=', merchantId).where('sign', '=', sign),
);

const storeAnswer = preparedQuery((db, merchantId: number, sign: string, response: string, now: number) =>
  db
    .insertInto('answered_requests')
    .values({ merchant_id: merchantId, sign, response, answered_at: now })
    .onConflict((conflict) => conflict.columns(['merchant_id', 'sign']).doNothing())
    .returning('sign'),
);

export class AnsweredRequests {
  constructor(
    private readonly store: Store,
    /** How long an answer is kept: the timestamp window, so no replayable request outlives it. */
    readonly retentionSeconds: number,
  ) {}

  private async find(merchantId: number, sign: string): Promise<string | undefined> {
    const [row] = await storedAnswer(this.store.db, merchantId, sign);
    return row?.response;
  }

  /** False when an answer was stored first by a concurrent twin. */
  private async record(trx: Tx, merchantId: number, sign: string, response: string, now: number): Promise<boolean> {
    return (await storeAnswer(trx, merchantId, sign, response, now)).length === 1;
  }

  /**
   * Runs `change` once per (merchant, sign) and returns the JSON text of the envelope:
   * the stored one for a repeat. Business failures (HTTP 200, non-zero code) are stored
   * too, so a retry sees the same outcome; request faults (4xx) are not.
   */
  async answer(merchantId: number, sign: string, now: number, change: (trx: Tx) => Promise<unknown>): Promise<string> {
    const earlier = await this.find(merchantId, sign);
    if (earlier !== undefined) return earlier;
    try {
      return await this.store.write(async (trx) => {
        const response = JSON.stringify(success(omitEmpty(await change(trx))));
        // A concurrent twin got here first (its row blocks ours until it commits):
        // throwing rolls back this request's change, and the twin's answer is returned.
        if (!(await this.record(trx, merchantId, sign, response, now))) throw new AnsweredMeanwhile();
        return response;
      });
    } catch (error) {
      if (error instanceof AnsweredMeanwhile) return (await this.find(merchantId, sign))!;
      if (!(error instanceof ApiError) || !isBusinessFailure(error.code)) throw error;
      const response = JSON.stringify(failure(error));
      const recorded = await this.store.write((trx) => this.record(trx, merchantId, sign, response, now));
      return recorded ? response : (await this.find(merchantId, sign))!;
    }
  }

  async purge(now: number): Promise<number> {
    const result = await this.store.write((trx) =>
      trx.deleteFrom('answered_requests').where('answered_at', '<', now - this.retentionSeconds).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}

class AnsweredMeanwhile extends Error {}
