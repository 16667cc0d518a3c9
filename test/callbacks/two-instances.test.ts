/**
 * Two instances on one PostgreSQL database share the callback queue and never send one
 * attempt twice: every callback reaches the receiver as many times as attempts are recorded
 * for it, through both senders racing for the same due rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { queueDeliveryResult } from '../../src/service/delivery-notices.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { seedMerchant, startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const postgres = storeKinds().find((kind) => kind.name === 'postgres');

describe('two instances share the callback queue [postgres]', { skip: postgres!.skip }, () => {
  let first: TestServer;
  let second: RunningServer;
  let receiver: Receiver;
  let now = nowSeconds();
  const clock = () => now;
  const settings = { allowPrivate: true, pollIntervalMs: 5, clock };

  before(async () => {
    receiver = await Receiver.start();
    first = await startTestServer(postgres!, {}, { callbacks: settings });
    second = await startServer({ db: first.location.db, store: first.location.options, port: 0, logger: false, callbacks: settings });
  });
  after(async () => {
    await second?.close();
    await first?.close();
    await receiver?.close();
  });

  it('200 callbacks falling due at once, failing once and then delivered: each attempt reaches the receiver exactly once', async () => {
    const merchant = await seedMerchant(first.store, { products: 1 });
    const count = 200;
    const seen = new Map<string, number>();
    receiver.status = (request) => {
      const id = String(request.headers['vendcloud-event-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return seen.get(id) === 1 ? 500 : 200;
    };
    // Queued for a moment later, so that both senders find them due together when the clock moves.
    await first.store.write({ actor: 'test', requestId: null, at: now + 1 }, async (work) => {
      for (let i = 1; i <= count; i++) {
        await queueDeliveryResult(work, {
          merchantId: merchant.merchant_id, notifyUrl: `${receiver.url}/n/${i}`, orderId: null, recordId: null, deliveryId: i, deliverStatus: 1, floorStatus: 1, errorMsg: '',
        });
      }
    });
    now += 1;
    const delivered = async () => Number((await first.store.db.selectFrom('callbacks').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'delivered').executeTakeFirstOrThrow()).n);
    const recorded = async () => Number((await first.store.db.selectFrom('callback_attempts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    // Recorded, not only received: an attempt recorded after the clock moved would be due 15 s after that.
    await eventually(async () => seen.size === count && (await recorded()) === count, 'every callback tried once', 15_000);
    now += 15;
    await eventually(async () => (await delivered()) === count, 'every callback delivered on its retry', 15_000);
    await first.callbacks.idle();
    await second.callbacks.idle();
    assert.equal(receiver.received.length, 2 * count, 'two sends per callback, no more');
    assert.ok([...seen.values()].every((n) => n === 2));
    const attempts = await first.store.db.selectFrom('callback_attempts').select(['callback_id', 'attempt']).execute();
    assert.equal(attempts.length, 2 * count, 'one attempt row per send');
  });
});
