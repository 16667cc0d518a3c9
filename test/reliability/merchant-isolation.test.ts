/**
 * A merchant never sees or touches another merchant's things (issue 12, item 4), in both
 * directions: B names each of A's things, and A each of B's (a machine, a product, a code by
 * id or in a list of ids, a code by its digits, an order's trade_id, an order, its record, a
 * delivery) in every endpoint and method of docs/api.md's table, which must list every route
 * the server has. The prober's answer must be exactly the one it gets for a thing that does
 * not exist at all (docs/protocol.md: no difference is visible), no answer carries anything
 * of the owner's, and the owner's own view of its things is the same before and after.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from '../helpers/node-test.js';
import { fileURLToPath } from 'node:url';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { nowSeconds } from '../../src/protocol/time.js';
import * as machines from '../../src/store/repositories/machines.repository.js';
import { tradeId } from '../helpers/client.js';
import { asMerchant, seedMerchant, startTestServer, type ApiAnswer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

interface Endpoint {
  verb: 'POST' | 'PUT';
  /** As docs/api.md writes it, e.g. /rent/machines/{machine_no}. */
  path: string;
  /** The `method` values it takes; [undefined] when it takes none. */
  methods: Array<string | undefined>;
}

const API_DOC = fileURLToPath(new URL('../../../docs/api.md', import.meta.url));

/** The table of endpoints in docs/api.md: verb, path and the `method` values named beside them. */
function documentedEndpoints(): Endpoint[] {
  const section = /## Endpoints\n([\s\S]*?)\n## /.exec(readFileSync(API_DOC, 'utf8'))?.[1] ?? '';
  return [...section.matchAll(/^\| `(POST|PUT) (\/[^`]*)` \| (.*) \|$/gm)].map(([, verb, path, what]) => {
    const methods = [...what!.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)].map((match) => match[1]!);
    return { verb: verb as 'POST' | 'PUT', path: path!, methods: methods.length > 0 ? methods : [undefined] };
  });
}

/**
 * Every path the server routes under the API prefix for POST or PUT, the verbs of the API's
 * operations (GET serves only its public reference, the same for everyone), from Fastify's
 * route trees, written docs/api.md's way.
 */
function routedPaths(server: TestServer): Set<string> {
  const paths = new Set<string>();
  for (const method of ['POST', 'PUT'] as const) {
    const stack: string[] = [];
    for (const line of server.app.printRoutes({ commonPrefix: false, method }).split('\n')) {
      const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      stack[depth] = (depth > 0 ? stack[depth - 1]! : '') + match[2]!;
      stack.length = depth + 1;
      const path = stack[depth]!;
      if (path.startsWith(`${API_PREFIX}/`)) paths.add(path.slice(API_PREFIX.length).replace(/:([a-z_]+)/g, '{$1}'));
    }
  }
  return paths;
}

/** The things of a merchant another one may try to name (`ids`: code ids in a list, `1,2,3`). */
interface Things {
  machine_no: string;
  product_id: string;
  id: string;
  ids: string;
  code: string;
  trade_id: string;
  order_id: string;
  record_id: string;
  delivery_id: string;
}
type Thing = keyof Things;
const THINGS: Thing[] = ['machine_no', 'product_id', 'id', 'ids', 'code', 'trade_id', 'order_id', 'record_id', 'delivery_id'];

/** Things that exist nowhere: what B must not be able to tell A's things from. */
const NOWHERE: Omit<Things, 'trade_id'> = {
  machine_no: '99999999901',
  product_id: '999999',
  id: '999999',
  ids: '999999',
  code: '1234567890',
  order_id: '999999',
  record_id: '999999',
  delivery_id: '999999',
};

/** The answer with the value B sent, wherever the message repeats it, replaced by a mark. */
function withoutSent(body: ApiAnswer['body'], sent: string): ApiAnswer['body'] {
  const escaped = sent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { ...body, message: body.message.replace(new RegExp(`\\b${escaped}\\b`, 'g'), '<sent>') };
}

/** docs/api.md's path with the request's things in it. */
function concretePath(path: string, fields: Things): string {
  return path.replace(/\{([a-z_]+)\}/g, (_whole, name: string) => {
    if (name === 'machine_no') return fields.machine_no;
    if (name === 'id' || name === 'product_id') return fields.product_id;
    if (name === 'order_id') return fields.order_id;
    if (name === 'delivery_id') return fields.delivery_id;
    throw new Error(`the isolation matrix does not know the path parameter {${name}}: teach it`);
  });
}

/** One merchant's side of the matrix: its things in every state, and an order of its own to name when probing. */
interface Side {
  name: 'A' | 'B';
  merchant: MerchantFixture;
  /** What the other merchant names: codes unused and used (with its order, record, delivery and trade_id). */
  things: Things[];
  orders: Array<{ machine_no: string; order_id: string; delivery_id: string }>;
  /** Its own order, named where a probe does not name one of the other side's. */
  ownOrder: { order_id: string; record_id: string };
}

for (const kind of storeKinds()) {
  describe(`merchant isolation matrix [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let sideA: Side;
    let sideB: Side;

    /**
     * A merchant's codes in every state on each machine: unused, used (with an order, a trade_id
     * and a delivery under way), cancelled; ten digits, so that none of the six-digit codes the
     * other side makes while probing can ever look like one of them.
     */
    async function seedSide(name: Side['name'], merchant: MerchantFixture): Promise<Side> {
      const as = asMerchant(server.url, merchant);
      const side: Side = { name, merchant, things: [], orders: [], ownOrder: { order_id: '', record_id: '' } };
      for (const machine of merchant.machines) {
        const fields = { machine_no: machine.machine_no, product_id: String(machine.productIds[0]) };
        const made = await as('/pickup_codes', { ...fields, method: 'pickup_code.product.id', count: '3', code_length: '10' });
        const [unused, used, cancelled] = made.body.data.codes as Array<{ id: number; code: string }>;
        const trade_id = tradeId();
        const consumed = await as('/consumes', { ...fields, method: 'event.consume.pickup_code', code: used!.code, trade_id, notify_url: 'https://owner.example/n' });
        assert.equal(consumed.body.code, 0);
        assert.equal((await as('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.delete.id', id: String(cancelled!.id) }, 'PUT')).body.code, 0);
        // The order is being delivered: the machine is online for it (no link here: its vend command waits in the outbox).
        const order_id = String(consumed.body.data.order_id);
        const record_id = String(consumed.body.data.records[0].id);
        await server.store.write(BY_TEST, async ({ trx }) => machines.markSeen(trx, (await machines.findByNumber(trx, machine.machine_no))!.id, nowSeconds()));
        // An extended machine: the vend command is an extension (an original one answers 30006).
        await server.store.write(BY_TEST, async ({ trx, now }) => machines.update(trx, machine.machine_no, { link_mode: 'extended' }, now));
        const delivered = await as('/deliveries', { machine_no: machine.machine_no, method: 'device.delivery.put', order_id, record_id });
        assert.equal(delivered.body.code, 0, JSON.stringify(delivered.body));
        const delivery_id = delivered.body.data.delivery_id as string;
        // Each trade_id once: a second probe would meet the prober's own use of it by the first.
        const none = { trade_id: '', order_id: '', record_id: '', delivery_id: '' };
        side.things.push({ ...fields, ...none, id: String(unused!.id), ids: String(unused!.id), code: unused!.code });
        side.things.push({ ...fields, id: String(used!.id), ids: String(used!.id), code: used!.code, trade_id, order_id, record_id, delivery_id });
        side.orders.push({ machine_no: machine.machine_no, order_id, delivery_id });
      }
      const first = merchant.machines[0]!;
      const [own] = (await as('/pickup_codes', { machine_no: first.machine_no, method: 'pickup_code.product.id', product_id: String(first.productIds[1]), count: '1' })).body.data.codes;
      const ownConsumed = await as('/consumes', { machine_no: first.machine_no, method: 'event.consume.pickup_code', code: own.code, product_id: String(first.productIds[1]), trade_id: tradeId(), notify_url: 'https://owner.example/n' });
      side.ownOrder = { order_id: String(ownConsumed.body.data.order_id), record_id: String(ownConsumed.body.data.records[0].id) };
      return side;
    }

    before(async () => {
      // Each side's deliveries stay under way for the whole matrix, minutes under load: a result
      // timeout (120 s by default) firing in the middle would change the owner's view by itself.
      server = await startTestServer(kind, { rateLimitPerMinute: 0, deliveryResultTimeoutSeconds: 86_400 });
      sideA = await seedSide('A', await seedMerchant(server.store, { machines: 2, products: 2, capacity: 100 }));
      sideB = await seedSide('B', await seedMerchant(server.store, { machines: 2, products: 2, capacity: 100 }));
      // Every machine offline from here: a probe's delivery of the prober's own order answers
      // 30002 both times, rather than starting a vend once and finding the machine busy after.
      await server.store.write(BY_TEST, ({ trx }) => trx.updateTable('machines').set({ is_online: 0 }).execute());
    });
    after(() => server.close());

    /** A side's machines, products, codes, orders and deliveries as its merchant sees them through the API. */
    async function viewOf(side: Side): Promise<unknown[]> {
      const as = asMerchant(server.url, side.merchant);
      const view: unknown[] = [(await as('/rent/machines', undefined)).body];
      for (const machine of side.merchant.machines) {
        view.push((await as(`/rent/machines/${machine.machine_no}`, undefined)).body);
        view.push((await as('/products', { machine_no: machine.machine_no, select_all: '1' })).body);
        view.push((await as('/pickup_codes/query', { machine_no: machine.machine_no, status: 'ALL', per_page: '100' })).body);
        for (const product of machine.productIds) view.push((await as(`/products/${product}/pickup_code`, { machine_no: machine.machine_no })).body);
      }
      for (const order of side.orders) {
        view.push((await as(`/orders/${order.order_id}`, { machine_no: order.machine_no })).body);
        view.push((await as(`/deliveries/${order.delivery_id}`, { machine_no: order.machine_no })).body);
      }
      return view;
    }

    /** Whether an answer to the prober carries anything that names one of the owner's things (other than the one it sent). */
    function leakOf(answer: ApiAnswer, sent: string, owner: Side): string | undefined {
      const text = JSON.stringify(answer.body.data);
      for (const things of owner.things) for (const value of [things.machine_no, things.code, things.trade_id]) if (value !== '' && value !== sent && text.includes(value)) return value;
      return undefined;
    }

    /**
     * The prober names each of the owner's things on every endpoint and method: it must get
     * exactly the answer for a thing that does not exist, see nothing of the owner's, and change nothing.
     */
    async function probeAll(prober: Side, owner: Side): Promise<{ probes: number; refused: number }> {
      const as = asMerchant(server.url, prober.merchant);
      const machine = prober.merchant.machines[0]!;
      const before = await viewOf(owner);
      let probes = 0;
      let refused = 0;
      for (const endpoint of documentedEndpoints()) {
        for (const method of endpoint.methods) {
          for (const things of owner.things) {
            for (const thing of THINGS.filter((name) => things[name] !== '')) {
              // Two fresh codes of the prober's, one for the probe and one for the control, so a
              // write that succeeds on its own things leaves the other comparison untouched.
              const made = await as('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(machine.productIds[0]), count: '2' });
              const [mine, control] = made.body.data.codes as Array<{ id: number; code: string }>;
              const send = async (own: { id: number; code: string }, value: string) => {
                const fields: Things = {
                  machine_no: machine.machine_no,
                  product_id: String(machine.productIds[0]),
                  id: String(own.id),
                  ids: String(own.id),
                  code: own.code,
                  trade_id: tradeId(),
                  ...prober.ownOrder,
                  delivery_id: NOWHERE.delivery_id,
                  [thing]: value,
                };
                const payload = { ...fields, status: 'ALL', count: '1', per_page: '100', notify_url: 'https://prober.example/n', channel_name: 'A1', ...(method ? { method } : {}) };
                return as(concretePath(endpoint.path, fields), payload, endpoint.verb);
              };
              const where = `${prober.name} → ${endpoint.verb} ${endpoint.path} ${method ?? ''} with ${owner.name}'s ${thing} ${things[thing]}`;
              const nowhere = thing === 'trade_id' ? tradeId() : NOWHERE[thing];
              const probe = await send(mine!, things[thing]);
              const expected = await send(control!, nowhere);
              probes++;
              assert.equal(probe.body.code, expected.body.code, `${where}: ${JSON.stringify(probe.body).slice(0, 200)}, for nothing: ${JSON.stringify(expected.body).slice(0, 200)}`);
              assert.equal(probe.status, expected.status, where);
              assert.equal(leakOf(probe, things[thing], owner), undefined, `${where}: the answer names ${owner.name}'s things: ${JSON.stringify(probe.body).slice(0, 300)}`);
              if (probe.body.code !== 0) {
                // A refusal may name what the prober itself sent (`id 7`); past that it must say the same.
                assert.deepEqual(withoutSent(probe.body, things[thing]), withoutSent(expected.body, nowhere), `${where}: the refusal says more than for a thing that does not exist`);
                refused++;
              }
            }
          }
        }
      }
      assert.deepEqual(await viewOf(owner), before, `${owner.name}'s machines, products, codes, orders and deliveries are as they were`);
      return { probes, refused };
    }

    it('docs/api.md lists every route the server has, so the matrix below covers them all', () => {
      // Parameter names may differ ({id} in docs/api.md is :product_id in the router): the shape counts.
      const shapes = (paths: Iterable<string>) => [...new Set([...paths].map((path) => path.replace(/\{[a-z_]+\}/g, '{}')))].sort();
      assert.deepEqual(shapes(routedPaths(server)), shapes(documentedEndpoints().map((endpoint) => endpoint.path)));
    });

    for (const [prober, owner] of [
      ['B', 'A'],
      ['A', 'B'],
    ] as const) {
      it(`merchant ${prober} naming any machine, product, code (by id, in a list of ids, by its digits), trade_id, order, record or delivery of merchant ${owner}, on every endpoint and method, gets exactly the answer for a thing that does not exist, sees nothing of ${owner}, and changes nothing of ${owner}`, async (t) => {
        const sides = { A: sideA, B: sideB };
        const { probes, refused } = await probeAll(sides[prober], sides[owner]);
        t.diagnostic(`${probes} probes; ${refused} refused with the very answer for a thing that does not exist, the rest served ${prober}'s own things; nothing of ${owner}'s seen or changed`);
      });
    }
  });
}
