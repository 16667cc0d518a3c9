/**
 * PostgreSQL ends the server's connections under it (issue 12, item 4): pg_terminate_backend
 * on the connections of one `vendcloud serve` process (found by their application_name),
 * as a database restart or a failover would. The server stays up; a request whose
 * connection died gets a clean 503 envelope (never a 500, never a stack), the very same
 * request sent again succeeds, and no change is ever half-applied or applied twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { envelopeProblem } from '../helpers/envelope.js';
import { nothingAcknowledged } from '../helpers/invariants.js';
import type { ApiAnswer } from '../helpers/server.js';
import { ServerProcess, withApplicationName } from '../helpers/server-process.js';
import { storeKinds } from '../helpers/stores.js';
import { assertStoreInvariants, codesInStore, countCodes, merchantWrites, seedStock, terminateConnections, transactionWrites, type RepeatableWrite } from './process-fixtures.js';

const postgres = storeKinds().find((kind) => kind.name === 'postgres');
const CANCEL_ALL_CODES = 20_000;
const STORM_WORKERS = 8;
const WRITES_PER_WORKER = 30;
const TERMINATIONS = 8;
const MAX_ATTEMPTS = 20;
const TEST_TIMEOUT_MS = 180_000;

/** The answer is a success, or the documented 503 envelope: never anything else. */
function assertSuccessOrUnavailable(answer: ApiAnswer, where: string): void {
  const problem = envelopeProblem({ status: answer.status, headers: answer.headers as Record<string, string>, body: JSON.stringify(answer.body) });
  assert.equal(problem, undefined, `${where}: ${problem}`);
  assert.ok(answer.body.code === 0 || answer.body.code === ErrorCode.SERVICE_UNAVAILABLE, `${where}: ${JSON.stringify(answer.body)}`);
}

/** Sends the same request until it succeeds; every answer on the way must be a success or a clean 503. */
async function untilDone(write: RepeatableWrite, where: string): Promise<{ answer: ApiAnswer; unavailable: number }> {
  let unavailable = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = await write();
    assert.ok(answer, `${where}: the server answered (it is still running)`);
    assertSuccessOrUnavailable(answer, where);
    if (answer.body.code === 0) return { answer, unavailable };
    unavailable++;
  }
  throw new Error(`${where}: no success in ${MAX_ATTEMPTS} attempts`);
}

describe('PostgreSQL connections terminated under the server', { skip: postgres!.skip }, () => {
  it('connections ended while idle: the server stays up and the next requests succeed on new connections', { timeout: TEST_TIMEOUT_MS }, async () => {
    const applicationName = `vc-term-idle-${process.pid}`;
    const base = await postgres!.fresh();
    const location = { ...base, db: withApplicationName(base.db, applicationName) };
    const { merchant } = await seedStock(location, 1000);
    const server = await ServerProcess.start(location);
    try {
      const api = merchantWrites(server.url, merchant);
      assert.equal((await untilDone(api.create(5), 'warm-up')).unavailable, 0);
      assert.ok((await terminateConnections(location.db, applicationName)) > 0, 'the server had connections to end');
      for (let i = 0; i < 5; i++) await untilDone(api.create(1), `create ${i} after the termination`);
      await assertStoreInvariants(location, {}, 'after the idle termination');
    } finally {
      await server.kill();
      await base.cleanup();
    }
  });

  it(`a cancel-all of ${CANCEL_ALL_CODES.toLocaleString('en')} codes whose connection is ended mid-transaction answers a clean 503 and cancels nothing; the same request again cancels them all`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const applicationName = `vc-term-bulk-${process.pid}`;
    const base = await postgres!.fresh();
    const location = { ...base, db: withApplicationName(base.db, applicationName) };
    const { merchant, initialInventory } = await seedStock(location, CANCEL_ALL_CODES);
    const server = await ServerProcess.start(location);
    try {
      const api = merchantWrites(server.url, merchant);
      const acknowledged = nothingAcknowledged();
      const ids: number[] = (await untilDone(api.create(CANCEL_ALL_CODES), 'create')).answer.body.data.codes.map((code: { id: number }) => code.id);
      for (const id of ids) acknowledged.created.add(id);

      const cancelAll = api.cancelAll();
      const first = cancelAll();
      await transactionWrites(location.db, applicationName, first);
      await terminateConnections(location.db, applicationName);
      const answer = await first;
      assert.ok(answer, 'the server answered');
      assertSuccessOrUnavailable(answer, 'the cancel-all whose connection ended');
      assert.equal(answer.body.code, ErrorCode.SERVICE_UNAVAILABLE, `caught mid-transaction: ${JSON.stringify(answer.body)}`);
      assert.equal(await countCodes(location, ids, 'CANCELLED'), 0, 'nothing of it was applied');

      const again = await untilDone(cancelAll, 'the same cancel-all again');
      assert.equal(again.answer.body.data.count, CANCEL_ALL_CODES);
      for (const id of ids) acknowledged.cancelled.add(id);
      await assertStoreInvariants(location, { acknowledged, initialInventory }, 'after the retried cancel-all');
    } finally {
      await server.kill();
      await base.cleanup();
    }
  });

  it(`connections ended ${TERMINATIONS} times during a storm of writes: each answer is a success or a clean 503, each write retried unchanged succeeds exactly once, and nothing is half-applied`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const applicationName = `vc-term-storm-${process.pid}`;
    const base = await postgres!.fresh();
    const location = { ...base, db: withApplicationName(base.db, applicationName) };
    const { merchant, initialInventory } = await seedStock(location, 1_000_000);
    const server = await ServerProcess.start(location);
    try {
      const api = merchantWrites(server.url, merchant);
      const acknowledged = nothingAcknowledged();
      let unavailable = 0;
      let createdCount = 0;
      const worker = async (w: number) => {
        const mine: Array<{ id: number; code: string }> = [];
        for (let i = 0; i < WRITES_PER_WORKER; i++) {
          const where = `worker ${w} write ${i}`;
          const code = i % 3 === 0 ? undefined : mine.shift();
          if (!code) {
            const count = 1 + (i % 3);
            const done = await untilDone(api.create(count), where);
            unavailable += done.unavailable;
            createdCount += count;
            for (const made of done.answer.body.data.codes) {
              acknowledged.created.add(made.id);
              mine.push(made);
            }
          } else if (i % 3 === 1) {
            unavailable += (await untilDone(api.cancel(code.id), where)).unavailable;
            acknowledged.cancelled.add(code.id);
          } else {
            const done = await untilDone(api.consume(code.code), where);
            unavailable += done.unavailable;
            acknowledged.consumed.set(code.id, done.answer.body.data.order_id);
          }
        }
      };
      let ended = 0;
      let storming = true;
      const storm = Promise.all(Array.from({ length: STORM_WORKERS }, (_, w) => worker(w))).finally(() => (storming = false));
      for (let round = 0; round < TERMINATIONS && storming; round++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        ended += await terminateConnections(location.db, applicationName);
      }
      await storm;
      assert.equal(acknowledged.created.size, createdCount);
      assert.equal(await codesInStore(location), createdCount, 'no create was applied twice by its retries');
      await assertStoreInvariants(location, { acknowledged, initialInventory }, 'after the storm');
      t.diagnostic(`${ended} connections ended; ${unavailable} clean 503s, each retried to success; ${STORM_WORKERS * WRITES_PER_WORKER} writes, 0 lost, 0 doubled`);
    } finally {
      await server.kill();
      await base.cleanup();
    }
  });
});
