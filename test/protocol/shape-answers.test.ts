/**
 * The documented answer shapes (src/protocol/responses.ts, delivery-responses.ts) accept every
 * field they name and every documented value of each status, without a server (issue 25).
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { OPEN_API_RESPONSES } from '../../src/protocol/responses.js';
import {
  CALLBACK,
  CODE_HISTORY,
  CONSUMED_ORDER,
  CREATED_CODE,
  DELIVERY_STARTED,
  DELIVERY_STATE,
  FULL_ANSWERS,
  MACHINE_DETAIL,
  MACHINE_OVERVIEW,
  ORDER_DETAIL,
  PRODUCT_CODE,
  QUERIED_CODE,
  ok,
  violations,
} from './shape-samples.js';

/** Each value put in turn at one place of an accepted answer: what the check refused. */
function refusedValues(values: readonly unknown[], answer: (value: unknown) => [string, string, string | undefined, unknown]): string[] {
  return values.flatMap((value) => {
    const [verb, path, method, data] = answer(value);
    return violations(verb, path, ok(data), method).map((found) => `${JSON.stringify(value)}: ${found}`);
  });
}

describe('the answer shapes accept', () => {
  it('every route a sample with every field its shape names', () => {
    for (const [verb, path, method, data] of FULL_ANSWERS) assert.deepEqual(violations(verb, path, ok(data), method), [], `${verb} ${path} ${method ?? ''}`);
  });

  it('every machine type of machine.md, 1 to 6, and both link profiles of the overview', () => {
    assert.deepEqual(refusedValues([1, 2, 3, 4, 5, 6], (type) => ['POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, machine_type: type }]), []);
    assert.deepEqual(refusedValues(['original', 'extended'], (profile) => ['POST', '/machines/overview', undefined, [{ ...MACHINE_OVERVIEW, link_profile: profile }]]), []);
  });

  it("every code status of pickup_code_get.md, and CANCELLED in the query's answer", () => {
    const statuses = ['UNUSED', 'USED', 'EXPIRED', 'UNKNOWN'];
    assert.deepEqual(refusedValues(statuses, (status) => ['POST', '/products/1/pickup_code', undefined, [{ ...PRODUCT_CODE, status }]]), []);
    assert.deepEqual(refusedValues(statuses, (status) => ['POST', '/pickup_codes', 'pickup_code.product.id', { codes: [{ ...CREATED_CODE, status }] }]), []);
    assert.deepEqual(
      refusedValues([...statuses, 'CANCELLED'], (status) => ['POST', '/pickup_codes/query', undefined, { data: [{ ...QUERIED_CODE, status }], current_page: 1, last_page: 1, per_page: 10 }]),
      [],
    );
  });

  it("every order status and record word of the consume page", () => {
    const orderStatuses = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'PICKUPCODE'];
    assert.deepEqual(refusedValues(orderStatuses, (status) => ['POST', '/consumes', 'event.consume.pickup_code', { ...CONSUMED_ORDER, status }]), []);
    const words = ['未取货', '已取货', '订单取消'];
    const record = CONSUMED_ORDER.records[0]!;
    assert.deepEqual(refusedValues(words, (status) => ['POST', '/consumes', 'event.consume.pickup_code', { ...CONSUMED_ORDER, records: [{ ...record, status }] }]), []);
  });

  it("every order status and record constant of order_get.md, and both notify_sent values", () => {
    const orderStatuses = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'PICKUPCODE', 'NOTPAY', 'TESTPAY'];
    assert.deepEqual(refusedValues(orderStatuses, (status) => ['POST', '/orders/1', undefined, { ...ORDER_DETAIL, status }]), []);
    const recordStatuses = ['WAITING_PICKED_UP', 'IS_PICKED_UP', 'IS_REFUND', 'IS_DELIVERING', 'IS_SUCCESS', 'IS_FAILED', 'IS_TIMEOUT'];
    const record = ORDER_DETAIL.records[0]!;
    assert.deepEqual(refusedValues(recordStatuses, (status) => ['POST', '/orders/1', undefined, { ...ORDER_DETAIL, records: [{ ...record, status }] }]), []);
    assert.deepEqual(refusedValues(['0', '1'], (sent) => ['POST', '/orders/1', undefined, { ...ORDER_DETAIL, records: [{ ...record, notify_sent: sent }] }]), []);
  });

  it('every delivery word of delivery_put.md and delivery_get.md', () => {
    const words = ['未取货或正在出货', '出货完成', '出货失败', '出货超时'];
    assert.deepEqual(refusedValues(words, (status) => ['POST', '/deliveries', 'device.delivery.put', { ...DELIVERY_STARTED, status }]), []);
    assert.deepEqual(refusedValues(words, (status) => ['POST', '/deliveries/1', undefined, { ...DELIVERY_STATE, status }]), []);
  });

  it('every callback type, state and attempt outcome of docs/callbacks.md', () => {
    const types = ['device.delivery.response', 'pickup_code.used', 'pickup_code.conflict', 'delivery.result', 'machine.online', 'machine.offline'];
    assert.deepEqual(refusedValues(types, (type) => ['POST', '/callbacks/query', undefined, [{ ...CALLBACK, type }]]), []);
    assert.deepEqual(refusedValues(['pending', 'delivered', 'failed'], (state) => ['POST', '/callbacks/latest', undefined, [{ ...CALLBACK, state }]]), []);
    const attempt = CALLBACK.attempts[0]!;
    assert.deepEqual(refusedValues(['delivered', 'retry', 'failed'], (outcome) => ['POST', '/callbacks/query', undefined, [{ ...CALLBACK, attempts: [{ ...attempt, outcome }] }]]), []);
  });

  it("every action and stored status of a code's history", () => {
    const event = CODE_HISTORY.events[0]!;
    const actions = ['create', 'cancel', 'consume', 'redeem', 'conflict'];
    assert.deepEqual(refusedValues(actions, (action) => ['POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, events: [{ ...event, action }] }]), []);
    const stored = ['UNUSED', 'USED', 'CANCELLED'];
    assert.deepEqual(refusedValues(stored, (status) => ['POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, events: [{ ...event, from_status: status, to_status: status }] }]), []);
  });

  it('an extension field carrying the words that mark it in the API reference', () => {
    const products = OPEN_API_RESPONSES.find((shape) => shape.verb === 'POST' && shape.path === '/products') as unknown as { data: { oneOf: Array<{ properties: { data: { items: { properties: Record<string, { description?: string }> } } } }> } };
    const fields = products.data.oneOf[1]!.properties.data.items.properties;
    assert.equal(fields.on_sale!.description, 'vendcloud extension: not in the original docs');
    assert.equal(fields.inventory!.description, undefined);
  });

  it("a used code's refusal naming its order, and any other refusal with data {}", () => {
    const refusal = (code: number, message: string, data: unknown) => JSON.stringify({ code, message, data });
    assert.deepEqual(violations('POST', '/consumes', refusal(10025, '取货码已使用', { order_id: 60 }), 'event.consume.pickup_code'), []);
    assert.deepEqual(violations('POST', '/consumes', refusal(80002, '查不到对应记录: no code 5', {}), 'event.consume.pickup_code'), []);
  });
});
