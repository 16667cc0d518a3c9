/**
 * The documented answer shapes (src/protocol/responses.ts) and the check every test server
 * runs on every answer: it accepts the docs' own examples and refuses what a client typed
 * from the docs' field tables could not decode.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { call, seedMerchant, startTestServer } from '../helpers/server.js';
import { shapeViolations } from '../helpers/response-shapes.js';
import { storeKinds } from '../helpers/stores.js';

const ok = (data: unknown) => JSON.stringify({ code: 0, message: 'ok', data });

function violations(path: string, body: string, method?: string, verb = 'POST', status = 200): string[] {
  return shapeViolations({ verb, url: `${API_PREFIX}${path}`, method, status, body });
}

const machine = { machine_name: 'Lobby', machine_no: '12345678', is_online: true, status: true, notify_message: 'connected', created_at: '2024-03-18 20:48:23' };
const product = {
  id: 20,
  category: { id: 2, title: 'Second shelf' },
  good: { name: 'Cola', description: 'Cola', thumb: 'https://example.com/cola.png', price: '0.10', original_price: '0.00', content: '<p>Cola</p>', good_no: '412883701240', slug: '412883701240' },
  channel: { name: 'A21', cabinet_name: 'A', code: '020', x: '2', y: '0', addr: 1 },
  current_inventory: 1,
  inventory: 2,
};
const order = {
  order_id: 60,
  trade_id: '800a7e9500d345c8987d3aafa412c77d',
  date: '2024-04-29',
  amount: '1.00',
  status: 'PICKUPCODE',
  records: [{ id: 78, product_id: 131, quantity: 1, price: '1.00', status: '未取货', notify_sent: '0' }],
  pickup_code_id: 1,
};

describe('the documented answer shapes', () => {
  it('accept answers shaped like the docs’ examples', () => {
    assert.deepEqual(violations('/ping', ok('pong')), []);
    assert.deepEqual(violations('/rent/machines', ok([machine])), []);
    assert.deepEqual(violations('/rent/machines', ok([])), []);
    const detail = {
      machine_name: 'Lobby',
      address: 'unknown',
      lng_lat: '116.549815,39.922273',
      is_online: true,
      model: { cabinet_names: ['A'] },
      machine_type: 1,
      categories: [{ id: 1, title: 'First shelf' }],
      announcement: { title: 'Welcome' },
      merchant: { title: 'Shop', description: 'A shop', logo: 'https://example.com/logo.png', store_id: '505390', status: 'VERIFIED', created_at: '2024-03-18 20:41:17' },
      currency: { id: 3, name: 'Euro', code: 'EUR', symbol: '€' },
    };
    assert.deepEqual(violations('/rent/machines/12345678', ok(detail)), []);
    assert.deepEqual(violations('/products', ok({ data: [product], total: 6, current_page: 1, last_page: 1, per_page: 10 })), []);
    assert.deepEqual(violations('/products', ok([])), []);
    const code = { id: 2111, code: '9388106', status: 'UNUSED', created_at: '2024-04-27 14:00:08', expired_at: '2024-04-28 14:00:08', quantity: 1 };
    assert.deepEqual(violations('/products/131/pickup_code', ok([code])), []);
    assert.deepEqual(violations('/pickup_codes', ok({}), 'pickup_code.product.id'), []);
    assert.deepEqual(violations('/pickup_codes', ok({}), 'pickup_code.delete.id', 'PUT'), []);
    assert.deepEqual(violations('/pickup_codes', ok({}), 'pickup_code.delete.all', 'PUT'), []);
    assert.deepEqual(violations('/consumes', ok(order), 'event.consume.pickup_code'), []);
    const used = JSON.stringify({ code: 10025, message: '取货码已使用', data: { order_id: 60 } });
    assert.deepEqual(violations('/consumes', used, 'event.consume.pickup_code'), []);
    // order_get.md, delivery_put.md, delivery_get.md, delivery_test.md: their examples.
    const orderGet = {
      order_id: 54,
      trade_id: '3f2a58ad69b74e86b8a1a3da6fd75cc1',
      date: '2024-04-26',
      amount: '3.00',
      status: 'SUCCESS',
      notify_send_count: 1,
      records: [
        { id: 70, product_id: 121, quantity: 1, price: '1.00', status: 'IS_DELIVERING', notify_sent: '1' },
        { id: 71, product_id: 122, quantity: 1, price: '1.00', status: 'WAITING_PICKED_UP', notify_sent: '0' },
      ],
    };
    assert.deepEqual(violations('/orders/54', ok(orderGet)), []);
    const started = { delivery_id: '5121763043809673', delivered_at: '2024-05-04 16:16:49', status: '未取货或正在出货' };
    assert.deepEqual(violations('/deliveries', ok(started), 'device.delivery.put'), []);
    assert.deepEqual(violations('/deliveries/debug', ok(started), 'device.delivery.put'), []);
    assert.deepEqual(violations('/deliveries/5121763043809673', ok({ delivered_at: '2024-05-04 16:18:06', status: '出货完成' })), []);
  });

  it('refuse the wire types a client typed from the field tables cannot decode', () => {
    const page = (item: unknown) => ok({ data: [item], total: 1, current_page: 1, last_page: 1, per_page: 10 });
    // [what is wrong, where the check must say it is, what the check found]
    const cases: Array<[string, string, string[]]> = [
      ['machine status 1 instead of true', '/data/0/status', violations('/rent/machines', ok([{ ...machine, status: 1 }]))],
      ['is_online false instead of absent', '/data/0/is_online', violations('/rent/machines', ok([{ ...machine, is_online: false }]))],
      ['a field the table does not list', 'additionalProperty":"operating"', violations('/rent/machines', ok([{ ...machine, operating: true }]))],
      ['machine_type "1" instead of 1', '/data/machine_type', violations('/rent/machines/12345678', ok({ machine_name: 'Lobby', machine_type: '1' }))],
      ['channel x as a number', '/data/data/0/channel/x', violations('/products', page({ ...product, channel: { ...product.channel, x: 2 } }))],
      ['channel addr as text', '/data/data/0/channel/addr', violations('/products', page({ ...product, channel: { ...product.channel, addr: '1' } }))],
      ['a zero stock sent as 0', '/data/data/0/current_inventory', violations('/products', page({ ...product, current_inventory: 0 }))],
      ['consume date with a time', '/data/date', violations('/consumes', ok({ ...order, date: '2026-11-29 19:02:50' }), 'event.consume.pickup_code')],
      [
        'record status as a constant',
        '/data/records/0/status',
        violations('/consumes', ok({ ...order, records: [{ ...order.records[0], status: 'WAITING_PICKED_UP' }] }), 'event.consume.pickup_code'),
      ],
      ['cancel-all count 0 sent', '/data/count', violations('/pickup_codes', ok({ count: 0 }), 'pickup_code.delete.all', 'PUT')],
      ['an empty codes list sent', '/data/codes', violations('/pickup_codes', ok({ codes: [] }), 'pickup_code.product.all')],
      ['a route with no written shape', 'no response shape is written down for POST /refunds/1', violations('/refunds/1', ok({}))],
      ['a write whose method has no shape', 'with method pickup_code.product.nothing', violations('/pickup_codes', ok({}), 'pickup_code.product.nothing')],
      ['a failure with the wrong HTTP status', 'must be HTTP 401', violations('/consumes', JSON.stringify({ code: 10002, message: 'sign is invalid', data: {} }))],
      ['a failure with another message', 'must say "查不到对应记录"', violations('/consumes', JSON.stringify({ code: 80002, message: 'not found', data: {} }))],
      ['a failure without data', 'missingProperty":"data', violations('/consumes', JSON.stringify({ code: 80002, message: '查不到对应记录' }))],
      ['a framework error body', 'additionalProperty":"statusCode"', violations('/ping', JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }), undefined, 'POST', 500)],
    ];
    for (const [what, where, found] of cases) assert.ok(found.some((v) => v.includes(where)), `not caught: ${what}\n${found.join('\n')}`);
  });

  for (const kind of storeKinds()) {
    it(`make a test server fail when any answer it sent broke its shape [${kind.name}]`, { skip: kind.skip }, async () => {
      // The machine list as vendcloud used to send it: status 1 instead of true.
      const server = await startTestServer(kind, {}, {
        extendApp: (app) => app.addHook('onSend', async (_request, _reply, payload) => (typeof payload === 'string' ? payload.replace('"status":true', '"status":1') : payload)),
      });
      try {
        const merchant = await seedMerchant(server.store, { products: 0 });
        await assert.rejects(call(server.url, '/rent/machines', { appid: merchant.appid, secret: merchant.app_secret }), /\/data\/0\/status must be equal to constant/);
      } finally {
        await assert.rejects(server.close(), /answers broke their documented shape[\s\S]*POST \/api\/openapi\/v1\/rent\/machines → HTTP 200: \/data\/0\/status/);
      }
    });
  }
});
