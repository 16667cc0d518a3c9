/**
 * SIGKILL, the crash no shutdown hook sees (issue 12, item 4): `vendcloud serve` runs as a
 * child process over a SQLite file or PostgreSQL and is killed in the middle of a write
 * storm, and in the middle of a cancel-all of 20,000 codes (the issue measured 100,000; 20,000
 * keeps the suite within CI's time and still spans many of the cancel's steps). After each
 * kill the server starts again on the same database, and every change a client was told
 * about is there, the cancel-all is all or nothing, and history, orders, stock and outbox
 * agree with the codes.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { nothingAcknowledged, type Acknowledged } from '../helpers/invariants.js';
import type { MerchantFixture } from '../helpers/server.js';
import { ServerProcess, withApplicationName } from '../helpers/server-process.js';
import { storeKinds } from '../helpers/stores.js';
import { assertStoreInvariants, countCodes, merchantWrites, seedStock, transactionWrites } from './process-fixtures.js';

const STORM_KILLS = 3;
const STORM_WORKERS = 8;
/** Writes acknowledged in a round before its kill: the storm is in full swing by then. */
const ACKNOWLEDGED_BEFORE_KILL = 60;
const CANCEL_ALL_CODES = 20_000;
const CANCEL_ALL_KILLS = 3;
/** A server that never comes back fails the test instead of stalling CI. */
const TEST_TIMEOUT_MS = 240_000;

interface StormRound {
  acknowledged: number;
  unanswered: number;
}

/**
 * Workers create, cancel and consume their own codes until the server is killed. A code
 * whose request went unanswered is left alone afterwards: its fate is unknown to the client.
 */
async function stormUntilKilled(server: ServerProcess, merchant: MerchantFixture, acknowledged: Acknowledged, pool: Array<{ id: number; code: string }>): Promise<StormRound> {
  const api = merchantWrites(server.url, merchant);
  const round: StormRound = { acknowledged: 0, unanswered: 0 };
  let killed = false;
  let kill: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (kill = resolve));
  const worker = async () => {
    while (!killed) {
      const choice = Math.random();
      const code = choice < 0.5 ? undefined : pool.splice(Math.floor(Math.random() * pool.length), 1)[0];
      let answer;
      if (!code) {
        answer = (await api.create(1 + Math.floor(Math.random() * 3))())?.body;
        for (const made of answer?.code === 0 ? answer.data.codes : []) {
          acknowledged.created.add(made.id);
          pool.push(made);
        }
      } else if (choice < 0.75) {
        answer = (await api.cancel(code.id)())?.body;
        if (answer?.code === 0) acknowledged.cancelled.add(code.id);
      } else {
        answer = (await api.consume(code.code)())?.body;
        if (answer?.code === 0) acknowledged.consumed.set(code.id, answer.data.order_id);
      }
      if (answer === undefined) round.unanswered++;
      else {
        assert.equal(answer.code, 0, JSON.stringify(answer));
        if (++round.acknowledged === ACKNOWLEDGED_BEFORE_KILL) kill();
      }
    }
  };
  const workers = Array.from({ length: STORM_WORKERS }, worker);
  // A worker's failed assertion ends the round at once.
  await Promise.race([enough, Promise.all(workers)]);
  await server.kill();
  killed = true;
  await Promise.all(workers);
  return round;
}

for (const kind of storeKinds()) {
  describe(`SIGKILL of the server process [${kind.name}]`, { skip: kind.skip }, () => {
    it(`a write storm killed ${STORM_KILLS} times: after each restart every acknowledged create, cancel and consume is there, and history, orders, stock and outbox agree with the codes`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const location = await kind.fresh();
      try {
        const { merchant, initialInventory } = await seedStock(location, 1_000_000);
        const acknowledged = nothingAcknowledged();
        const pool: Array<{ id: number; code: string }> = [];
        let unanswered = 0;
        for (let kill = 1; kill <= STORM_KILLS; kill++) {
          const server = await ServerProcess.start(location);
          const round = await stormUntilKilled(server, merchant, acknowledged, pool);
          unanswered += round.unanswered;
          await assertStoreInvariants(location, { acknowledged, initialInventory }, `after kill ${kill}`);
        }
        const writes = acknowledged.created.size + acknowledged.cancelled.size + acknowledged.consumed.size;
        t.diagnostic(`${STORM_KILLS} kills survived; ${writes} acknowledged changes, 0 lost; ${unanswered} requests unanswered at the kills`);
      } finally {
        await location.cleanup();
      }
    });

    it(`a cancel-all of ${CANCEL_ALL_CODES.toLocaleString('en')} codes killed while it runs is all or nothing, and an acknowledged one is whole after the restart`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const applicationName = `vc-kill-${process.pid}`;
      const base = await kind.fresh();
      const location = { ...base, db: withApplicationName(base.db, applicationName) };
      try {
        const { merchant, initialInventory } = await seedStock(location, CANCEL_ALL_CODES * (CANCEL_ALL_KILLS + 2));
        const acknowledged = nothingAcknowledged();
        let batch: number[] = [];
        let calibrationMs = 0;
        const outcomes = { rolledBack: 0, committed: 0 };
        for (let round = 0; round <= CANCEL_ALL_KILLS; round++) {
          const server = await ServerProcess.start(location);
          const api = merchantWrites(server.url, merchant);
          if (batch.length === 0) {
            const made = (await api.create(CANCEL_ALL_CODES)())?.body;
            assert.equal(made?.code, 0, JSON.stringify(made).slice(0, 300));
            batch = made!.data.codes.map((code: { id: number }) => code.id);
            for (const id of batch) acknowledged.created.add(id);
          }
          const started = Date.now();
          const cancelling = api.cancelAll()().then((answer) => answer?.body);
          if (round === 0) {
            // The first one is answered before the kill: acknowledged must mean committed.
            const answer = await cancelling;
            calibrationMs = Date.now() - started;
            assert.equal(answer?.data.count, CANCEL_ALL_CODES, JSON.stringify(answer));
            for (const id of batch) acknowledged.cancelled.add(id);
            await server.kill();
          } else if (kind.name === 'postgres') {
            await transactionWrites(location.db, applicationName, cancelling);
            await server.kill();
          } else {
            // SQLite shows nothing of a transaction under way: kills spread over the time one took.
            await new Promise((resolve) => setTimeout(resolve, (calibrationMs * round) / (CANCEL_ALL_KILLS + 1)));
            await server.kill();
          }
          const answer = await cancelling;
          const cancelled = await countCodes(location, batch, 'CANCELLED');
          assert.ok(cancelled === 0 || cancelled === CANCEL_ALL_CODES, `round ${round}: ${cancelled} of ${CANCEL_ALL_CODES} codes cancelled`);
          if (answer?.code === 0) assert.equal(cancelled, CANCEL_ALL_CODES, `round ${round}: acknowledged yet not whole`);
          await assertStoreInvariants(location, { acknowledged, initialInventory }, `after cancel-all round ${round}`);
          if (cancelled > 0) {
            if (round > 0) outcomes.committed++;
            batch = [];
          } else outcomes.rolledBack++;
        }
        t.diagnostic(`${CANCEL_ALL_KILLS + 1} kills survived (one after the answer, ${calibrationMs} ms); killed while running: ${outcomes.rolledBack} rolled back whole, ${outcomes.committed} committed whole, 0 partial`);
      } finally {
        await base.cleanup();
      }
    });
  });
}
