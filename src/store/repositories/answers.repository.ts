/** Answers to signed writes that carried an idempotency key, kept so that a retry gets them again. */
import type { Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';

export interface StoredAnswer {
  fingerprint: string;
  response: string;
}

const storedAnswer = preparedQuery((db, merchantId: number, key: string) =>
  db.selectFrom('answered_requests').select(['fingerprint', 'response']).where('merchant_id', '=', merchantId).where('idempotency_key', '=', key),
);

export async function find(db: Executor, merchantId: number, key: string): Promise<StoredAnswer | undefined> {
  return (await storedAnswer(db, merchantId, key))[0];
}

const storeAnswer = preparedQuery((db, merchantId: number, key: string, fingerprint: string, response: string, now: number) =>
  db
    .insertInto('answered_requests')
    .values({ merchant_id: merchantId, idempotency_key: key, fingerprint, response, answered_at: now })
    .onConflict((conflict) => conflict.columns(['merchant_id', 'idempotency_key']).doNothing())
    .returning('idempotency_key'),
);

/** False when an answer under that key was stored first (by a concurrent twin). */
export async function insert(db: Executor, merchantId: number, key: string, answer: StoredAnswer, now: number): Promise<boolean> {
  return (await storeAnswer(db, merchantId, key, answer.fingerprint, answer.response, now)).length === 1;
}

export async function purgeAnsweredBefore(db: Executor, answeredBefore: number): Promise<number> {
  const result = await db.deleteFrom('answered_requests').where('answered_at', '<', answeredBefore).executeTakeFirst();
  return Number(result.numDeletedRows);
}
