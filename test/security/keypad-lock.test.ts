/**
 * The extended machine's keypad lock, through the real simulator and the embedded broker:
 * after wrong codes in a row the keypad takes no code (not even a right one) until the lock
 * ends, each lock is reported with `client.keypad.locked`, the server counts it and tells
 * the merchant (`machine.keypad_locked`); a malformed report is dropped and tells nobody.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { setMerchantWebhook } from '../../src/service/admin.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { storeKinds } from '../helpers/stores.js';

/** The merchant's `machine.keypad_locked` events (its machine coming online is told too). */
function keypadEvents(receiver: Receiver): Array<{ type: string; data: Record<string, unknown> }> {
  return receiver
    .on('/hook')
    .map((r) => JSON.parse(r.body))
    .filter((event) => event.type === 'machine.keypad_locked');
}

for (const kind of storeKinds()) {
  describe(`the keypad lock (${kind.name})`, { skip: kind.skip }, () => {
    it('three wrong codes in a row lock the keypad, even for a right code; the lock is reported and the merchant told once per lock', async () => {
      const receiver = await Receiver.start();
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
      const fixture = await seedMachine(linked.store);
      const machine = simulator(linked.brokerUrl, fixture, { keypadLock: { wrongCodes: 3, lockSeconds: 600 } });
      try {
        await setMerchantWebhook(linked.store, fixture.merchant.merchant_id, { url: `${receiver.url}/hook`, allowPrivate: true });
        await machine.connect();
        const [code] = await merchantApi(linked.server.url, fixture).createCodes(1);
        await eventually(() => machine.codes().some((held) => held.code === code!.code), 'the machine holds the code');
        const wrong = code!.code === '111111' ? '222222' : '111111';
        assert.deepEqual(await machine.redeem(wrong), { ok: false, reason: 'unknown code' });
        assert.deepEqual(await machine.redeem(wrong), { ok: false, reason: 'unknown code' });
        assert.equal(machine.keypad.locked(), false, 'two wrong codes do not lock it');
        assert.deepEqual(await machine.redeem(wrong), { ok: false, reason: 'unknown code' });
        assert.equal(machine.keypad.locked(), true);
        assert.deepEqual(await machine.redeem(code!.code), { ok: false, reason: 'keypad locked' }, 'a locked keypad takes no code');
        await eventually(() => keypadEvents(receiver).length >= 1, 'the merchant is told');
        const events = keypadEvents(receiver);
        assert.equal(events.length, 1);
        assert.deepEqual(events[0]!.data, { machine_no: fixture.machineNo, wrong_codes: 3, lock_seconds: 600 });
        assert.equal(linked.server.link!.counters.byMethod.handled['client.keypad.locked'], 1, 'the server counts it');
        assert.equal((await merchantApi(linked.server.url, fixture).query('UNUSED')).length, 1, 'the code is still live');
      } finally {
        await machine.disconnect();
        await linked.close();
        await receiver.close();
      }
    });

    it('a keypad report with malformed counts is dropped and counted, and tells the merchant nothing', async () => {
      const receiver = await Receiver.start();
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
      const fixture = await seedMachine(linked.store);
      const machine = simulator(linked.brokerUrl, fixture);
      try {
        await setMerchantWebhook(linked.store, fixture.merchant.merchant_id, { url: `${receiver.url}/hook`, allowPrivate: true });
        await machine.connect();
        const counters = linked.server.link!.counters;
        const invalidBefore = counters.dropped.invalidFields;
        await machine.publishRaw('/server/app', machine.message('client.keypad.locked', { wrong_codes: '-1', lock_seconds: 'forever' }));
        await eventually(() => counters.dropped.invalidFields > invalidBefore, 'the report is dropped');
        // A well-formed lock after it is told: the malformed one before it was not.
        await machine.publishRaw('/server/app', machine.message('client.keypad.locked', { wrong_codes: '5', lock_seconds: '60' }));
        await eventually(() => keypadEvents(receiver).length >= 1, 'the well-formed lock is told');
        assert.deepEqual(keypadEvents(receiver).map((e) => e.data), [{ machine_no: fixture.machineNo, wrong_codes: 5, lock_seconds: 60 }]);
      } finally {
        await machine.disconnect();
        await linked.close();
        await receiver.close();
      }
    });
  });
}
