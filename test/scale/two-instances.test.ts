/**
 * Scale-out (issue 5): two vendcloud processes on different ports share one PostgreSQL and
 * the local Mosquitto. Racing consumes and cancels spread over both keep the invariants,
 * and no push reaches the machine twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import mqtt from 'mqtt';
import { parseMachineMessage } from '../../src/link/message.js';
import { machineTopic } from '../../src/protocol/machine-messages.js';
import { openStore } from '../../src/store/store.js';
import { startCli } from '../helpers/cli.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MOSQUITTO_URL, eventually, seedMachine, simulator } from '../helpers/link.js';
import { asMerchant } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const postgres = storeKinds().find((kind) => kind.name === 'postgres');
const CODES = 40;

describe('two instances, one PostgreSQL, one broker', needs(postgres!, 'mosquitto'), () => {
  it('racing requests over both instances keep every invariant, and no push reaches the machine twice', async () => {
    const location = await postgres!.fresh();
    const schema = location.options.pgSchema!;
    let machineRef: MachineSimulator | undefined;
    const group = `vcmulti${process.pid}`;
    const serve = () =>
      startCli(
        // The race's consumes of codes a cancel took first are 80002s by design, not guesses.
        ['serve', '--db', location.db, '--db-schema', schema, '--port', '0', '--mqtt-url', MOSQUITTO_URL, '--mqtt-share-group', group, '--rate-limit', '0', '--wrong-codes-limit', '0'],
        /listening on \S+/,
        { LOG_LEVEL: 'warn' },
      );
    // Both start at once: the migrations must run once, under the migrator's advisory lock.
    const instances = [serve(), serve()];
    const observer = mqtt.connect(MOSQUITTO_URL, { clientId: `observer-${process.pid}-${Date.now()}` });
    const observerReady = new Promise<void>((resolve, reject) => {
      observer.once('connect', () => resolve());
      observer.once('error', reject);
    });
    const store = await openStore(location.db, location.options).catch(async (error) => {
      await Promise.all(instances.map((i) => i.stop()));
      throw error;
    });
    try {
      const banners = await Promise.all(instances.map((i) => i.started));
      const [urlA, urlB] = banners.map((banner) => /listening on (http:\/\/[^/\s]+)/.exec(banner)![1]!) as [string, string];
      assert.notEqual(urlA, urlB);
      const fixture = await seedMachine(store);

      const machine = simulator(MOSQUITTO_URL, fixture);
      machineRef = machine;
      await machine.connect();
      const pushes: Array<{ method: string; id: string | undefined; revision: string | undefined }> = [];
      await observerReady;
      await observer.subscribeAsync(machineTopic(fixture.machineNo), { qos: 1 });
      observer.on('message', (_topic, payload) => {
        const message = parseMachineMessage(payload);
        if (message) pushes.push({ method: message.method, id: message.fields.id, revision: message.fields.revision });
      });

      const a = asMerchant(urlA, fixture.merchant);
      const b = asMerchant(urlB, fixture.merchant);
      let serial = 0;
      const machine_no = fixture.machineNo;
      const codes: Array<{ id: number; code: string }> = [];
      // Batches of 10 stay under the sync threshold: one create push per code.
      for (const api of [a, b, a, b]) {
        const made = await api('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id: String(fixture.productId), count: '10', nonce: String(++serial) });
        assert.equal(made.body.code, 0, JSON.stringify(made.body));
        codes.push(...made.body.data.codes);
      }
      assert.equal(codes.length, CODES);

      const consume = (api: typeof a, code: string) =>
        api('/consumes', {
          machine_no,
          method: 'event.consume.pickup_code',
          code,
          product_id: String(fixture.productId),
          trade_id: `MULTI-${process.pid}-${String(++serial).padStart(12, '0')}`,
          notify_url: 'https://merchant.example/n',
        });
      const cancel = (api: typeof a, id: number) => api('/pickup_codes', { machine_no, method: 'pickup_code.delete.id', id: String(id), nonce: String(++serial) }, 'PUT');
      const attempts = codes.flatMap((code) => [
        consume(a, code.code).then((answer) => ({ kind: 'consume', id: code.id, answer })),
        cancel(b, code.id).then((answer) => ({ kind: 'cancel', id: code.id, answer })),
        consume(b, code.code).then((answer) => ({ kind: 'consume', id: code.id, answer })),
        cancel(a, code.id).then((answer) => ({ kind: 'cancel', id: code.id, answer })),
      ]);
      const results = await Promise.all(attempts);
      for (const { answer } of results) assert.ok([0, 80002, 10025].includes(answer.body.code), JSON.stringify(answer.body));
      const consumed = results.filter((r) => r.kind === 'consume' && r.answer.body.code === 0).map((r) => r.id);
      const cancelled = results.filter((r) => r.kind === 'cancel' && r.answer.body.code === 0).map((r) => r.id);
      assert.equal(new Set(consumed).size, consumed.length, 'no code consumed twice');
      assert.equal(new Set(cancelled).size, cancelled.length, 'no code cancelled twice');
      assert.equal(consumed.length + cancelled.length, CODES, 'exactly one winner per code');
      assert.ok(!consumed.some((id) => cancelled.includes(id)), 'no cancelled code consumed');

      const rows = await store.db.selectFrom('pickup_codes').select(['id', 'status']).where('product_id', '=', fixture.productId).execute();
      const used = rows.filter((r) => r.status === 'USED').map((r) => r.id);
      assert.deepEqual(new Set(used), new Set(consumed));
      const orders = await store.db.selectFrom('orders').select('pickup_code_id').where('status', '=', 'PICKUPCODE').execute();
      assert.equal(orders.length, used.length, 'exactly one order per USED code');
      assert.deepEqual(new Set(orders.map((o) => o.pickup_code_id)), new Set(used));
      const product = await store.db.selectFrom('products').select('inventory').where('id', '=', fixture.productId).executeTakeFirstOrThrow();
      assert.equal(product.inventory, 200 - used.length);

      // Every code is spent: the machine must end with an empty list, whichever way (deletes
      // one by one, or one sync when many piled up) the instances told it.
      await eventually(async () => {
        const pending = await store.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
        return pending.length === 0 && machine.codes().length === 0;
      }, 'the machine holds no code and the outbox is sent', 15_000);
      // Longer than the dispatchers' poll interval: a duplicate sent by the other instance would have arrived.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const seenTwice = (method: string, key: 'id' | 'revision') => {
        const seen = new Set<string>();
        const twice: string[] = [];
        for (const push of pushes.filter((p) => p.method === method)) {
          if (seen.has(push[key]!)) twice.push(push[key]!);
          seen.add(push[key]!);
        }
        return twice;
      };
      assert.deepEqual(seenTwice('client.pickup_codes.create', 'id'), [], 'no create pushed twice');
      assert.deepEqual(seenTwice('client.pickup_codes.delete', 'id'), [], 'no delete pushed twice');
      assert.deepEqual(seenTwice('client.pickup_codes.sync', 'revision'), [], 'no list pushed twice');
      assert.ok(pushes.some((p) => p.method === 'client.pickup_codes.create'), 'codes were pushed');
      assert.deepEqual(machine.codes(), []);
      const unsent = await store.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
      assert.deepEqual(unsent, []);
    } finally {
      observer.end(true);
      await machineRef?.disconnect();
      await Promise.all(instances.map((i) => i.stop()));
      await store.close();
      await location.cleanup();
    }
  });
});
