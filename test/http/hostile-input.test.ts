/**
 * Hostile values in every field of every signed endpoint: each gets a documented code,
 * never a 500 or a stack trace, and a refused request writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { ERROR_CATALOGUE } from '../../src/protocol/errors.js';
import { asMerchant, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const HOSTILE = [
  "1' OR '1'='1",
  "'; DROP TABLE pickup_codes; --",
  '取货码🙂',
  '\u0000\u0007\u001b[31m',
  '\u202e12345678',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '9'.repeat(400),
  '-1',
  '1e3',
  '0x10',
  ' 12345678 ',
  '１２３４５６７８',
];

for (const kind of storeKinds()) {
  describe(`hostile field values [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
      api = asMerchant(server.url, merchant);
    });
    after(() => server.close());

    it('every endpoint answers a documented code to every hostile value in every field, and writes nothing when it refuses', async () => {
      const machine = merchant.machines[0]!;
      const valid: Array<{ path: string; verb: 'POST' | 'PUT'; fields: Record<string, string> }> = [
        { path: '/products', verb: 'POST', fields: { machine_no: machine.machine_no, page: '1', per_page: '10', category_id: '0', cabinet_name: 'A', select_all: '0' } },
        {
          path: '/pickup_codes',
          verb: 'POST',
          fields: { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(machine.productIds[0]), count: '1', code_length: '6', expired_at: '2099-01-01 00:00:00', quantity: '1' },
        },
        { path: `/products/${machine.productIds[0]}/pickup_code`, verb: 'POST', fields: { machine_no: machine.machine_no } },
        { path: '/pickup_codes/query', verb: 'POST', fields: { machine_no: machine.machine_no, product_id: String(machine.productIds[0]), status: 'ALL', page: '1', per_page: '10' } },
        { path: '/pickup_codes', verb: 'PUT', fields: { machine_no: machine.machine_no, method: 'pickup_code.delete.id', id: '1' } },
        { path: '/pickup_codes', verb: 'PUT', fields: { machine_no: machine.machine_no, method: 'pickup_code.delete.all' } },
        {
          path: '/consumes',
          verb: 'POST',
          fields: {
            machine_no: machine.machine_no,
            method: 'event.consume.pickup_code',
            code: '123456',
            product_id: String(machine.productIds[0]),
            trade_id: 'TRADE-000000000000000001',
            notify_url: 'https://merchant.example/notify',
          },
        },
      ];
      const documented = new Set(Object.keys(ERROR_CATALOGUE).map(Number));
      let cases = 0;
      for (const endpoint of valid) {
        for (const field of Object.keys(endpoint.fields)) {
          for (const value of HOSTILE) {
            const before = await writtenRows(server.store);
            const answer = await api(endpoint.path, { ...endpoint.fields, [field]: value }, endpoint.verb);
            const where = `${endpoint.verb} ${endpoint.path} ${field}=${JSON.stringify(value)}`;
            assert.notEqual(answer.status, 500, where);
            assert.ok(documented.has(answer.body.code), `${where}: ${JSON.stringify(answer.body)}`);
            assert.doesNotMatch(answer.body.message, /\bat\b.*:\d+:\d+|SQLITE|syntax|constraint/i, where);
            if (answer.body.code !== 0) {
              const after = await writtenRows(server.store);
              // A refused business rule stores its answer for retries; nothing else moves.
              assert.deepEqual({ ...after, answered_requests: 0 }, { ...before, answered_requests: 0 }, where);
            }
            cases++;
          }
        }
      }
      assert.ok(cases > 400);
      const tables = await server.store.db.selectFrom('pickup_codes').select('id').limit(1).execute();
      assert.ok(Array.isArray(tables), 'the tables are still there');
    });
  });
}
