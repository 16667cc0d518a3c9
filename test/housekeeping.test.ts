/** The periodic chores of an instance: never two rounds of one chore at once, and a failure does not stop it. */
import assert from 'node:assert/strict';
import { describe, it } from './helpers/node-test.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHousekeeping } from '../src/housekeeping.js';

describe('housekeeping', () => {
  it('a chore still running is not started again, and stop waits for the round in hand', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    let release: () => void = () => undefined;
    const chore = {
      name: 'slow chore',
      intervalMs: 1,
      run: async () => {
        running++;
        rounds++;
        most = Math.max(most, running);
        await new Promise<void>((done) => (release = done));
        running--;
      },
    };
    const housekeeping = startHousekeeping([chore], { warn: () => undefined });
    // The chores' timers do not keep a process alive (unref): these waits do.
    while (rounds < 1) await sleep(1);
    // Many intervals pass while the first round waits.
    await sleep(30);
    const stopped = housekeeping.stop();
    release();
    await stopped;
    assert.equal(rounds, 1);
    assert.equal(most, 1);
    assert.equal(running, 0);
  });

  it('a failing chore is logged and runs again on its next interval', async () => {
    const warnings: string[] = [];
    let rounds = 0;
    const chore = {
      name: 'purging things',
      intervalMs: 1,
      run: async () => {
        rounds++;
        throw new Error('database away');
      },
    };
    const housekeeping = startHousekeeping([chore], { warn: (_details, message) => void warnings.push(message) });
    while (rounds < 2) await sleep(2);
    await housekeeping.stop();
    assert.ok(warnings.includes('purging things failed'));
  });
});
