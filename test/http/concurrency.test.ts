/**
 * No lost updates: consumes, cancels and cancel-alls of the same codes, fired at once
 * through HTTP, have exactly one winner per code, and the books balance afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { asMerchant, seedMerchant, startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const CODES = 60;

for (const kind of storeKinds()) {
  describe(`racing consumes and cancels [${kind.name}]`, { skip: kind.skip }, () => {
    it('each code is used at most once, every USED code has exactly one order, and the counts add up', async () => {
      // Consumes of codes cancelled under them are misses (80002) by the dozen: the race, not the guessing limit, is under test.
      const server = await startTestServer(kind, { wrongCodesPerMachine: 0 });
      try {
        const merchant = await seedMerchant(server.store, { products: 1, capacity: 100, inventory: 100 });
        const api = asMerchant(server.url, merchant);
        const machine = merchant.machines[0]!;
        const productId = machine.productIds[0]!;
        const made = await api('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(productId), count: String(CODES) });
        const codes = made.body.data.codes as Array<{ id: number; code: string }>;
        assert.equal(codes.length, CODES);

        let serial = 0;
        const consume = (code: string) =>
          api('/consumes', {
            machine_no: machine.machine_no,
            method: 'event.consume.pickup_code',
            code,
            product_id: String(productId),
            // Zero-padded on the left: padding on the right made serials 13 and 130 one trade_id.
            trade_id: `RACE-${process.pid}-${String(++serial).padStart(12, '0')}`,
            notify_url: 'https://merchant.example/n',
          });
        const cancel = (id: number) => api('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.delete.id', id: String(id), nonce: String(++serial) }, 'PUT');
        const cancelAll = () => api('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.delete.all', nonce: String(++serial) }, 'PUT');

        type Attempt = { kind: 'consume' | 'cancel' | 'cancel-all'; codeId?: number; answer: Awaited<ReturnType<typeof api>> };
        const attempts: Array<Promise<Attempt>> = [];
        codes.forEach((code, index) => {
          attempts.push(consume(code.code).then((answer) => ({ kind: 'consume', codeId: code.id, answer })));
          attempts.push(cancel(code.id).then((answer) => ({ kind: 'cancel', codeId: code.id, answer })));
          attempts.push(consume(code.code).then((answer) => ({ kind: 'consume', codeId: code.id, answer })));
          attempts.push(cancel(code.id).then((answer) => ({ kind: 'cancel', codeId: code.id, answer })));
          if (index === CODES / 2) attempts.push(cancelAll().then((answer) => ({ kind: 'cancel-all', answer })));
        });
        const results = await Promise.all(attempts);

        for (const { answer } of results) {
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          assert.ok([0, 80002, 10025].includes(answer.body.code), JSON.stringify(answer.body));
        }
        const won = (kind: Attempt['kind']) => results.filter((r) => r.kind === kind && r.answer.body.code === 0);
        const consumedIds = won('consume').map((r) => r.codeId!);
        const cancelledIds = won('cancel').map((r) => r.codeId!);
        const cancelledByAll = won('cancel-all').reduce((sum, r) => sum + ((r.answer.body.data.count as number | undefined) ?? 0), 0);

        assert.equal(new Set(consumedIds).size, consumedIds.length, 'no code consumed twice');
        assert.equal(new Set(cancelledIds).size, cancelledIds.length, 'no code cancelled twice');
        assert.ok(!consumedIds.some((id) => cancelledIds.includes(id)), 'no code both consumed and cancelled');
        assert.equal(consumedIds.length + cancelledIds.length + cancelledByAll, CODES, 'every code has exactly one winner');

        const rows = await server.store.db.selectFrom('pickup_codes').select(['id', 'status', 'order_id']).where('product_id', '=', productId).execute();
        const used = rows.filter((r) => r.status === 'USED');
        assert.deepEqual(used.map((r) => r.id).sort((a, b) => a - b), [...consumedIds].sort((a, b) => a - b));
        assert.equal(rows.filter((r) => r.status === 'CANCELLED').length, cancelledIds.length + cancelledByAll);
        assert.equal(rows.filter((r) => r.status === 'UNUSED').length, 0);

        const orders = await server.store.db.selectFrom('orders').select(['id', 'pickup_code_id']).where('machine_id', '=', machine.machine_id).execute();
        assert.equal(orders.length, used.length, 'exactly one order per USED code');
        assert.deepEqual(new Set(orders.map((o) => o.pickup_code_id)), new Set(used.map((r) => r.id)));
        for (const row of used) assert.ok(orders.some((o) => o.id === row.order_id));
        const records = await server.store.db.selectFrom('order_records').select('order_id').where('order_id', 'in', orders.length ? orders.map((o) => o.id) : [0]).execute();
        assert.equal(records.length, orders.length);

        const product = await server.store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow();
        assert.equal(product.inventory, 100 - used.length, 'stock fell by exactly the USED count');

        const terminal = await server.store.db
          .selectFrom('code_history')
          .select(['pickup_code_id', 'to_status'])
          .where('pickup_code_id', 'in', codes.map((c) => c.id))
          .where('action', '!=', 'create')
          .execute();
        assert.equal(terminal.length, CODES, 'one history row per code’s single transition');
      } finally {
        await server.close();
      }
    });
  });
}
