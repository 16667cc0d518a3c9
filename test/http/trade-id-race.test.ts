/**
 * Races on a consume's natural key (issue 27): two consumes with the same trade_id sent at
 * the same moment. With other codes, one wins and the other is refused with 10001, as when
 * they come one after the other; with the same fields, both get the one order. Never a 500
 * from the orders' unique constraint, on one instance or two over one database.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { needs } from '../helpers/components.js';
import { asMerchant, seedMerchant, startTestServer, type ApiAnswer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const RACES = 200;

type Api = ReturnType<typeof asMerchant>;

async function raceTradeIds(server: TestServer, apis: (merchant: Parameters<typeof asMerchant>[1]) => [Api, Api]) {
  const merchant = await seedMerchant(server.store, { products: 1, capacity: 2 * RACES, inventory: 2 * RACES });
  const [first, second] = apis(merchant);
  const machine = merchant.machines[0]!;
  const productId = machine.productIds[0]!;
  const made = await first('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(productId), count: String(2 * RACES) });
  assert.equal(made.body.code, 0, JSON.stringify(made.body));
  const codes = made.body.data.codes as Array<{ id: number; code: string }>;
  const consume = (api: Api, code: string, tradeId: string) =>
    api('/consumes', { machine_no: machine.machine_no, method: 'event.consume.pickup_code', code, product_id: String(productId), trade_id: tradeId, notify_url: 'https://merchant.example/n' });
  const races = await Promise.all(
    Array.from({ length: RACES }, (_, index) => {
      const tradeId = `TWIN-${process.pid}-${String(index).padStart(12, '0')}`.padEnd(24, 'x');
      return Promise.all([consume(first, codes[2 * index]!.code, tradeId), consume(second, codes[2 * index + 1]!.code, tradeId)]);
    }),
  );
  return { races, machine, productId, codes };
}

/** Pairs of one consume sent twice at once (a client's retry racing its first try): one order, given to both, one item taken. */
async function raceSameFields(server: TestServer, apis: (merchant: Parameters<typeof asMerchant>[1]) => [Api, Api]) {
  const merchant = await seedMerchant(server.store, { products: 1, capacity: 50, inventory: 50 });
  const [first, second] = apis(merchant);
  const machine = merchant.machines[0]!;
  const productId = machine.productIds[0]!;
  const made = await first('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(productId), count: '20' });
  const codes = made.body.data.codes as Array<{ code: string }>;
  const pairs = await Promise.all(
    codes.map((code, index) => {
      const fields = { machine_no: machine.machine_no, method: 'event.consume.pickup_code', code: code.code, product_id: String(productId), trade_id: `SAME-${process.pid}-${index}`.padEnd(24, 'x'), notify_url: 'https://merchant.example/n' };
      return Promise.all([first('/consumes', fields), second('/consumes', fields)]);
    }),
  );
  for (const [a, b] of pairs) {
    assert.equal(a!.body.code, 0, JSON.stringify(a!.body));
    assert.equal(b!.body.code, 0, JSON.stringify(b!.body));
    assert.equal(a!.body.data.order_id, b!.body.data.order_id);
  }
  const product = await server.store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow();
  assert.equal(product.inventory, 50 - codes.length);
}

function assertOneWinnerEach(races: ApiAnswer[][]) {
  for (const pair of races) {
    for (const answer of pair) assert.ok(answer.status !== 500 && [0, 10001].includes(answer.body.code), `HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    const winners = pair.filter((answer) => answer.body.code === 0);
    assert.equal(winners.length, 1, `one winner: ${JSON.stringify(pair.map((answer) => answer.body))}`);
    const loser = pair.find((answer) => answer.body.code !== 0)!;
    assert.equal(loser.status, 400);
    assert.match(loser.body.message, /trade_id/);
  }
}

async function assertBooksBalance(server: TestServer, productId: number) {
  const used = await server.store.db.selectFrom('pickup_codes').select('id').where('product_id', '=', productId).where('status', '=', 'USED').execute();
  assert.equal(used.length, RACES, 'one code used per trade_id: the loser gave its code back');
  const orders = await server.store.db.selectFrom('orders').select('id').where('trade_id', 'is not', null).execute();
  assert.equal(orders.length, RACES);
  const product = await server.store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow();
  assert.equal(product.inventory, RACES, 'the loser gave its item back');
}

for (const kind of storeKinds()) {
  describe(`racing consumes on one trade_id [${kind.name}]`, { skip: kind.skip }, () => {
    it(`${RACES} pairs with the same trade_id and other codes: one order each, the loser 10001, never a 500`, async () => {
      const server = await startTestServer(kind, { rateLimitPerMinute: 0 });
      try {
        const { races, productId } = await raceTradeIds(server, (merchant) => [asMerchant(server.url, merchant), asMerchant(server.url, merchant)]);
        assertOneWinnerEach(races);
        await assertBooksBalance(server, productId);
      } finally {
        await server.close();
      }
    });

    it('pairs with the same trade_id and the same fields, sent at once: one order, given to both', async () => {
      const server = await startTestServer(kind, { rateLimitPerMinute: 0 });
      try {
        await raceSameFields(server, (merchant) => [asMerchant(server.url, merchant), asMerchant(server.url, merchant)]);
      } finally {
        await server.close();
      }
    });
  });
}

const postgres = storeKinds().find((kind) => kind.name === 'postgres')!;

/** Two instances over one PostgreSQL schema, each with its own pool and group commit; both closed whatever happens. */
async function withTwoInstances(work: (server: TestServer, other: RunningServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(postgres, { rateLimitPerMinute: 0 });
  let other: RunningServer | undefined;
  try {
    other = await startServer({ db: server.location.db, store: server.location.options, port: 0, logger: false, config: { merchantCacheSeconds: 0, rateLimitPerMinute: 0 } });
    await work(server, other);
  } finally {
    await other?.close();
    await server.close();
  }
}

describe('racing consumes on one trade_id over two instances', needs(postgres), () => {
  it(`${RACES} pairs, each half sent to another instance over one PostgreSQL: one order each, the loser 10001, never a 500`, async () => {
    await withTwoInstances(async (server, other) => {
      const { races, productId } = await raceTradeIds(server, (merchant) => [asMerchant(server.url, merchant), asMerchant(other.url, merchant)]);
      assertOneWinnerEach(races);
      await assertBooksBalance(server, productId);
    });
  });

  it('pairs with the same trade_id and the same fields, each half sent to another instance: one order, given to both', async () => {
    await withTwoInstances((server, other) => raceSameFields(server, (merchant) => [asMerchant(server.url, merchant), asMerchant(other.url, merchant)]));
  });
});
