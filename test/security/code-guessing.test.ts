/**
 * Code guessing through /consumes: wrong codes are limited per machine (a small burst, then
 * 10029 with 429 and Retry-After), read before each code is evaluated so a concurrent burst
 * cannot slip past; right codes do not count; other machines are not affected; the merchant
 * hears of it once (machine.code_guessing). Shared by every instance through Redis.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { describe, it } from '../helpers/node-test.js';
import { setMerchantWebhook } from '../../src/service/admin.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { eventually } from '../helpers/link.js';
import { Receiver } from '../helpers/receiver.js';
import { asMerchant, seedMerchant, startTestServer, type ApiAnswer, type MerchantFixture } from '../helpers/server.js';
import { needs, SHARED_REDIS_URL } from '../helpers/components.js';
import { storeKinds } from '../helpers/stores.js';


let serial = 0;

function merchantCalls(url: string, merchant: MerchantFixture) {
  const api = asMerchant(url, merchant);
  return {
    async create(machine: number): Promise<string> {
      const m = merchant.machines[machine]!;
      const answer = await api('/pickup_codes', { machine_no: m.machine_no, method: 'pickup_code.product.id', product_id: String(m.productIds[0]), nonce: `n${++serial}` });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer.body.data.codes[0].code;
    },
    consume(machine: number, code: string): Promise<ApiAnswer> {
      const m = merchant.machines[machine]!;
      return api('/consumes', { machine_no: m.machine_no, method: 'event.consume.pickup_code', code, product_id: String(m.productIds[0]), trade_id: `T${process.pid}x${++serial}`.padEnd(24, 'x'), notify_url: 'https://merchant.example/notify' });
    },
  };
}

/** Six-digit codes that are not the machine's (its live codes are few and known). */
function wrongCodes(count: number, live: string[]): string[] {
  const codes: string[] = [];
  for (let n = 100_000; codes.length < count; n++) if (!live.includes(String(n))) codes.push(String(n));
  return codes;
}

function assertLocked(answer: ApiAnswer): void {
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.body, { code: 10029, message: 'too many wrong pickup codes on this machine', data: {} });
  const retryAfter = Number(answer.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 900, `Retry-After ${answer.headers['retry-after']}`);
}

for (const kind of storeKinds()) {
  describe(`code guessing on /consumes (${kind.name})`, { skip: kind.skip }, () => {
    it("of 60 wrong codes at once on one machine at most 10 are evaluated, while another machine's right code is consumed; the merchant hears of it once", async () => {
      const receiver = await Receiver.start();
      const server = await startTestServer(kind, { rateLimitPerMinute: 0 }, { callbacks: { allowPrivate: true, pollIntervalMs: 20 } });
      try {
        const merchant = await seedMerchant(server.store, { machines: 2 });
        await setMerchantWebhook(server.store, merchant.merchant_id, { url: `${receiver.url}/hook`, allowPrivate: true });
        const calls = merchantCalls(server.url, merchant);
        const live = await calls.create(0);
        const other = await calls.create(1);
        const answers = await Promise.all(wrongCodes(60, [live]).map((code) => calls.consume(0, code)));
        const evaluated = answers.filter((a) => a.body.code === 80002).length;
        const refused = answers.filter((a) => a.body.code === 10029);
        assert.equal(evaluated + refused.length, 60);
        assert.ok(evaluated <= 10, `${evaluated} wrong codes were evaluated`);
        assertLocked(refused[0]!);
        assert.equal((await calls.consume(1, other)).body.code, 0, "another machine's right code is consumed");
        assertLocked(await calls.consume(0, live));
        await eventually(() => receiver.on('/hook').length >= 1, 'the merchant is told');
        const events = receiver.on('/hook').map((r) => JSON.parse(r.body));
        assert.equal(events.length, 1);
        assert.equal(events[0].type, 'machine.code_guessing');
        assert.equal(events[0].data.machine_no, merchant.machines[0]!.machine_no);
      } finally {
        await server.close();
        await receiver.close();
      }
    });

    if (kind.name === 'postgres') {
      it("a machine far from its limit takes consumes side by side: one held in the database by a row lock does not hold back the machine's next", async () => {
        const server = await startTestServer(kind, { rateLimitPerMinute: 0 });
        const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${server.location.options.pgSchema}` });
        await holder.connect();
        try {
          const merchant = await seedMerchant(server.store);
          const api = asMerchant(server.url, merchant);
          const machine = merchant.machines[0]!;
          const codeOf = async (productId: number) =>
            (await api('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(productId), nonce: `n${++serial}` })).body.data.codes[0].code as string;
          const consume = (productId: number, code: string) =>
            api('/consumes', { machine_no: machine.machine_no, method: 'event.consume.pickup_code', code, product_id: String(productId), trade_id: `T${process.pid}x${++serial}`.padEnd(24, 'x'), notify_url: 'https://merchant.example/notify' });
          const [held, free] = machine.productIds as [number, number];
          const heldCode = await codeOf(held);
          const freeCode = await codeOf(free);
          await holder.query('begin');
          await holder.query('select id from products where id = $1 for update', [held]);
          const first = consume(held, heldCode);
          // The first consume now waits inside the database for the product's row.
          await eventually(async () => (await holder.query("select 1 from pg_locks where locktype = 'transactionid' and not granted")).rowCount! > 0, 'the first consume waits for the row lock', 15_000);
          const second = await Promise.race([consume(free, freeCode), new Promise<'held back'>((resolve) => setTimeout(() => resolve('held back'), 15_000).unref())]);
          assert.notEqual(second, 'held back', "the machine's second consume waited for its first");
          assert.equal((second as ApiAnswer).body.code, 0);
          await holder.query('commit');
          assert.equal((await first).body.code, 0, 'the first consume is answered once the row is free');
        } finally {
          await holder.end();
          await server.close();
        }
      });
    }

    it('right codes do not count toward the limit', async () => {
      const server = await startTestServer(kind, { rateLimitPerMinute: 0, wrongCodesPerMachine: 2 });
      try {
        const merchant = await seedMerchant(server.store, { capacity: 20, inventory: 20 });
        const calls = merchantCalls(server.url, merchant);
        for (let i = 0; i < 4; i++) assert.equal((await calls.consume(0, await calls.create(0))).body.code, 0);
        const [first, second, third] = wrongCodes(3, []);
        assert.equal((await calls.consume(0, first!)).body.code, 80002);
        assert.equal((await calls.consume(0, second!)).body.code, 80002);
        assertLocked(await calls.consume(0, third!));
      } finally {
        await server.close();
      }
    });
  });
}

describe('code guessing across instances (Redis)', needs('redis'), () => {
  it("two instances on one Redis count a machine's wrong codes together", async () => {
    const kind = storeKinds()[0]!;
    const location = await kind.fresh();
    const config = { merchantCacheSeconds: 0, rateLimitPerMinute: 0, wrongCodesPerMachine: 4, redisUrl: SHARED_REDIS_URL, redisKeyPrefix: `vendcloud-test:${process.pid}:${Math.random().toString(36).slice(2)}:` };
    const start = () => startServer({ db: location.db, port: 0, store: location.options, logger: false, config });
    const instances: RunningServer[] = [await start(), await start()];
    try {
      const merchant = await seedMerchant(instances[0]!.store);
      const codes = wrongCodes(5, []);
      for (let i = 0; i < 4; i++) assert.equal((await merchantCalls(instances[i % 2]!.url, merchant).consume(0, codes[i]!)).body.code, 80002);
      assertLocked(await merchantCalls(instances[0]!.url, merchant).consume(0, codes[4]!));
    } finally {
      for (const instance of instances) await instance.close();
      await location.cleanup();
    }
  });
});
