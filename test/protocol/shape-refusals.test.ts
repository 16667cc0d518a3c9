/**
 * The documented answer shapes refuse, field by field, what the docs' tables rule out: a
 * required field left out, a zero value sent, a text off its pattern, a value off its list
 * (issue 25). Each case changes one field of an accepted sample (./shape-samples.ts).
 */
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { describe, it } from '../helpers/node-test.js';
import { FAILURE_ENVELOPE, successEnvelope } from '../../src/protocol/responses.js';
import {
  CALLBACK,
  CODE_HISTORY,
  CODE_PAGE,
  CONSUMED_ORDER,
  CREATED_CODE,
  DELIVERY_STARTED,
  DELIVERY_STATE,
  MACHINE_DETAIL,
  MACHINE_OVERVIEW,
  MACHINE_SUMMARY,
  ORDER_DETAIL,
  PRODUCT,
  PRODUCT_CODE,
  PRODUCT_PAGE,
  WALL,
  ok,
  violations,
} from './shape-samples.js';

/** The sample without that field. */
function without<T extends object>(sample: T, field: keyof T): Partial<T> {
  const { [field]: _left, ...rest } = sample;
  return rest as Partial<T>;
}

const page = (item: unknown) => ({ ...PRODUCT_PAGE, data: [item] });
const consumeRecord = CONSUMED_ORDER.records[0]!;
const orderRecord = ORDER_DETAIL.records[0]!;
const attempt = CALLBACK.attempts[0]!;
const historyEvent = CODE_HISTORY.events[0]!;

// [what is wrong, verb, path, payload method, the answer's data, where the check must say it is]
const CASES: Array<[string, string, string, string | undefined, unknown, string]> = [
  ['ping answering another word', 'POST', '/ping', undefined, 'pang', '/data must be equal to constant'],
  ['a machine without its name', 'POST', '/rent/machines', undefined, [without(MACHINE_SUMMARY, 'machine_name')], 'missingProperty":"machine_name'],
  ['a machine number with letters', 'POST', '/rent/machines', undefined, [{ ...MACHINE_SUMMARY, machine_no: '1234a' }], '/data/0/machine_no must match pattern'],
  ['a machine created at a bare date', 'POST', '/rent/machines', undefined, [{ ...MACHINE_SUMMARY, created_at: '2024-04-27' }], '/data/0/created_at must match pattern'],
  ['an empty address', 'POST', '/rent/machines', undefined, [{ ...MACHINE_SUMMARY, address: '' }], '/data/0/address must NOT have fewer than 1 characters'],
  ['a machine detail without its name', 'POST', '/rent/machines/1', undefined, without(MACHINE_DETAIL, 'machine_name'), 'missingProperty":"machine_name'],
  ['a model without cabinet names', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, model: { id: 4 } }, 'missingProperty":"cabinet_names'],
  ['a cabinet named in lower case', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, model: { cabinet_names: ['a'] } }, '/data/model/cabinet_names/0 must match pattern'],
  ['machine type 7', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, machine_type: 7 }, '/data/machine_type must be equal to one of the allowed values'],
  ['a category without its title', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, categories: [{ id: 1 }] }, 'missingProperty":"title'],
  ['an empty category list', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, categories: [] }, '/data/categories must NOT have fewer than 1 items'],
  ['an announcement with a field of its own', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, announcement: { title: 'a', body: 'b' } }, 'additionalProperty":"body'],
  ['a merchant created at a bare date', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, merchant: { created_at: '2024' } }, '/data/merchant/created_at must match pattern'],
  ['a currency code in lower case', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, currency: { ...MACHINE_DETAIL.currency, code: 'eur' } }, '/data/currency/code must match pattern'],
  ['a currency without its symbol', 'POST', '/rent/machines/1', undefined, { ...MACHINE_DETAIL, currency: without(MACHINE_DETAIL.currency, 'symbol') }, 'missingProperty":"symbol'],
  ['a product page without its total', 'POST', '/products', undefined, without(PRODUCT_PAGE, 'total'), '/data must match exactly one schema in oneOf'],
  ['a product page without per_page', 'POST', '/products', undefined, without(PRODUCT_PAGE, 'per_page'), 'missingProperty":"per_page'],
  ['a product page with an empty list', 'POST', '/products', undefined, { ...PRODUCT_PAGE, data: [] }, '/data/data must NOT have fewer than 1 items'],
  ['a product list instead of a page', 'POST', '/products', undefined, [PRODUCT], '/data must NOT have more than 0 items'],
  ['a product without its stock', 'POST', '/products', undefined, page(without(PRODUCT, 'inventory')), 'missingProperty":"inventory'],
  ['a product without its good', 'POST', '/products', undefined, page(without(PRODUCT, 'good')), 'missingProperty":"good'],
  ['a good without its name', 'POST', '/products', undefined, page({ ...PRODUCT, good: without(PRODUCT.good, 'name') }), 'missingProperty":"name'],
  ['a price with one decimal', 'POST', '/products', undefined, page({ ...PRODUCT, good: { ...PRODUCT.good, price: '1.0' } }), '/data/data/0/good/price must match pattern'],
  ['an empty media list', 'POST', '/products', undefined, page({ ...PRODUCT, good: { ...PRODUCT.good, media: [] } }), '/data/data/0/good/media must NOT have fewer than 1 items'],
  ['a category without its id', 'POST', '/products', undefined, page({ ...PRODUCT, category: { title: 'x' } }), 'missingProperty":"id'],
  ['a channel without its address', 'POST', '/products', undefined, page({ ...PRODUCT, channel: without(PRODUCT.channel, 'addr') }), 'missingProperty":"addr'],
  ['a channel address 9', 'POST', '/products', undefined, page({ ...PRODUCT, channel: { ...PRODUCT.channel, addr: 9 } }), '/data/data/0/channel/addr must be <= 8'],
  ['a cabinet of two letters', 'POST', '/products', undefined, page({ ...PRODUCT, channel: { ...PRODUCT.channel, cabinet_name: 'AB' } }), '/data/data/0/channel/cabinet_name must match pattern'],
  ['a channel x with a sign', 'POST', '/products', undefined, page({ ...PRODUCT, channel: { ...PRODUCT.channel, x: '-2' } }), '/data/data/0/channel/x must match pattern'],
  ['on_sale false instead of absent', 'POST', '/products', undefined, page({ ...PRODUCT, on_sale: false }), '/data/data/0/on_sale must be equal to constant'],
  ['a product id 0', 'POST', '/products', undefined, page({ ...PRODUCT, id: 0 }), '/data/data/0/id must be >= 1'],
  ['a code of five digits', 'POST', '/products/1/pickup_code', undefined, [{ ...PRODUCT_CODE, code: '12345' }], '/data/0/code must match pattern'],
  ['a code without its quantity', 'POST', '/products/1/pickup_code', undefined, [without(PRODUCT_CODE, 'quantity')], 'missingProperty":"quantity'],
  ['a product code CANCELLED', 'POST', '/products/1/pickup_code', undefined, [{ ...PRODUCT_CODE, status: 'CANCELLED' }], '/data/0/status must be equal to one of the allowed values'],
  ['a created code without its product', 'POST', '/pickup_codes', 'pickup_code.product.id', { codes: [without(CREATED_CODE, 'product_id')] }, 'missingProperty":"product_id'],
  ['an empty list of created codes', 'POST', '/pickup_codes', 'pickup_code.product.all', { codes: [] }, '/data/codes must NOT have fewer than 1 items'],
  ['a queried code without its product', 'POST', '/pickup_codes/query', undefined, { ...CODE_PAGE, data: [without(CODE_PAGE.data[0]!, 'product_id')] }, 'missingProperty":"product_id'],
  ['a queried code DELETED', 'POST', '/pickup_codes/query', undefined, { ...CODE_PAGE, data: [{ ...CODE_PAGE.data[0]!, status: 'DELETED' }] }, '/data/data/0/status must be equal to one of the allowed values'],
  ['a code page without last_page', 'POST', '/pickup_codes/query', undefined, without(CODE_PAGE, 'last_page'), 'missingProperty":"last_page'],
  ['total_capped false instead of absent', 'POST', '/pickup_codes/query', undefined, { ...CODE_PAGE, total_capped: false }, '/data/total_capped must be equal to constant'],
  ['a cursor 0', 'POST', '/pickup_codes/query', undefined, { ...CODE_PAGE, next_after_id: 0 }, '/data/next_after_id must be >= 1'],
  ['a cancel of one answering a count', 'PUT', '/pickup_codes', 'pickup_code.delete.id', { count: 1 }, 'additionalProperty":"count'],
  ['a cancel by ids counting 0', 'PUT', '/pickup_codes', 'pickup_code.delete.ids', { count: 0 }, '/data/count must be >= 1'],
  ['a cancel of a product counting 0', 'PUT', '/pickup_codes', 'pickup_code.delete.product', { count: 0 }, '/data/count must be >= 1'],
  ['a consume without its trade_id', 'POST', '/consumes', 'event.consume.pickup_code', without(CONSUMED_ORDER, 'trade_id'), 'missingProperty":"trade_id'],
  ['a consume without its code', 'POST', '/consumes', 'event.consume.pickup_code', without(CONSUMED_ORDER, 'pickup_code_id'), 'missingProperty":"pickup_code_id'],
  ['a consumed order NOTPAY', 'POST', '/consumes', 'event.consume.pickup_code', { ...CONSUMED_ORDER, status: 'NOTPAY' }, '/data/status must be equal to one of the allowed values'],
  ['a record without its price', 'POST', '/consumes', 'event.consume.pickup_code', { ...CONSUMED_ORDER, records: [without(consumeRecord, 'price')] }, 'missingProperty":"price'],
  ['notify_sent "2"', 'POST', '/consumes', 'event.consume.pickup_code', { ...CONSUMED_ORDER, records: [{ ...consumeRecord, notify_sent: '2' }] }, '/data/records/0/notify_sent must be equal to one of the allowed values'],
  ['an overview without the machine number', 'POST', '/machines/overview', undefined, [without(MACHINE_OVERVIEW, 'machine_no')], 'missingProperty":"machine_no'],
  ['link profile auto', 'POST', '/machines/overview', undefined, [{ ...MACHINE_OVERVIEW, link_profile: 'auto' }], '/data/0/link_profile must be equal to one of the allowed values'],
  ['pickup_codes_enabled false', 'POST', '/machines/overview', undefined, [{ ...MACHINE_OVERVIEW, pickup_codes_enabled: false }], '/data/0/pickup_codes_enabled must be equal to constant'],
  ['a live count without its product', 'POST', '/pickup_codes/live_counts', undefined, [{ live_codes: 2 }], 'missingProperty":"product_id'],
  ['a history without events', 'POST', '/pickup_codes/history', undefined, without(CODE_HISTORY, 'events'), 'missingProperty":"events'],
  ['an event without its actor', 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, events: [without(historyEvent, 'actor')] }, 'missingProperty":"actor'],
  ['an event action delete', 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, events: [{ ...historyEvent, action: 'delete' }] }, '/data/events/0/action must be equal to one of the allowed values'],
  ['an event to EXPIRED', 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, events: [{ ...historyEvent, to_status: 'EXPIRED' }] }, '/data/events/0/to_status must be equal to one of the allowed values'],
  ['a push of a server method', 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, pushes: [{ method: 'server.ping', queued_at: WALL }] }, '/data/pushes/0/method must match pattern'],
  ['a push without its queue time', 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, pushes: [{ method: 'client.pickup_codes.add' }] }, 'missingProperty":"queued_at'],
  ["a history's order without its code", 'POST', '/pickup_codes/history', undefined, { ...CODE_HISTORY, order: without(CODE_HISTORY.order, 'pickup_code_id') }, 'missingProperty":"pickup_code_id'],
  ['a callback without its queue time', 'POST', '/callbacks/query', undefined, [without(CALLBACK, 'queued_at')], 'missingProperty":"queued_at'],
  ['an event id without its prefix', 'POST', '/callbacks/query', undefined, [{ ...CALLBACK, event_id: '0123456789abcdef'.repeat(2) }], '/data/0/event_id must match pattern'],
  ['a callback type of its own', 'POST', '/callbacks/query', undefined, [{ ...CALLBACK, type: 'order.paid' }], '/data/0/type must be equal to one of the allowed values'],
  ['a callback state sent', 'POST', '/callbacks/latest', undefined, [{ ...CALLBACK, state: 'sent' }], '/data/0/state must be equal to one of the allowed values'],
  ['an attempt without its outcome', 'POST', '/callbacks/query', undefined, [{ ...CALLBACK, attempts: [without(attempt, 'outcome')] }], 'missingProperty":"outcome'],
  ['an attempt outcome ok', 'POST', '/callbacks/query', undefined, [{ ...CALLBACK, attempts: [{ ...attempt, outcome: 'ok' }] }], '/data/0/attempts/0/outcome must be equal to one of the allowed values'],
  ['a resend answering a field', 'PUT', '/callbacks', 'callback.resend', { id: 1 }, 'additionalProperty":"id'],
  ['an order without its records', 'POST', '/orders/1', undefined, without(ORDER_DETAIL, 'records'), 'missingProperty":"records'],
  ['an order record in words', 'POST', '/orders/1', undefined, { ...ORDER_DETAIL, records: [{ ...orderRecord, status: '已取货' }] }, '/data/records/0/status must be equal to one of the allowed values'],
  ['an order date with a time', 'POST', '/orders/1', undefined, { ...ORDER_DETAIL, date: WALL }, '/data/date must match pattern'],
  ['a delivery id with letters', 'POST', '/deliveries', 'device.delivery.put', { ...DELIVERY_STARTED, delivery_id: 'd-1' }, '/data/delivery_id must match pattern'],
  ['a started delivery without its status', 'POST', '/deliveries/debug', 'device.delivery.put', without(DELIVERY_STARTED, 'status'), 'missingProperty":"status'],
  ['a delivery status as a constant', 'POST', '/deliveries', 'device.delivery.put', { ...DELIVERY_STARTED, status: 'IS_SUCCESS' }, '/data/status must be equal to one of the allowed values'],
  ['a delivery state without its start', 'POST', '/deliveries/1', undefined, without(DELIVERY_STATE, 'delivered_at'), 'missingProperty":"delivered_at'],
  ['an empty fail reason', 'POST', '/deliveries/1', undefined, { ...DELIVERY_STATE, fail_reason: '' }, '/data/fail_reason must NOT have fewer than 1 characters'],
  ['a stock change without products', 'PUT', '/products', 'product.restock', {}, 'missingProperty":"products'],
  ['a changed product without its id', 'PUT', '/products', 'product.stock', { products: [{ inventory: 2 }] }, 'missingProperty":"id'],
  ['a success saying something else', 'POST', '/ping', undefined, undefined, '/message must be equal to constant'],
];

describe('the answer shapes refuse', () => {
  for (const [what, verb, path, method, data, where] of CASES) {
    it(what, () => {
      const body = data === undefined ? JSON.stringify({ code: 0, message: 'fine', data: 'pong' }) : ok(data);
      const found = violations(verb, path, body, method);
      assert.ok(found.some((problem) => problem.includes(where)), `expected "${where}" among:\n${found.join('\n')}`);
    });
  }

  it('a failure with data other than an order id, or an empty message', () => {
    const found = violations('POST', '/consumes', JSON.stringify({ code: 10025, message: '', data: { order_id: 60, trade_id: 'x' } }), 'event.consume.pickup_code');
    assert.ok(found.some((problem) => problem.includes('additionalProperty":"trade_id')), found.join('\n'));
    assert.ok(found.some((problem) => problem.includes('/message must NOT have fewer than 1 characters')), found.join('\n'));
  });

  it('a success without data, and a failure without its message', () => {
    const success = violations('POST', '/ping', JSON.stringify({ code: 0, message: 'ok' }));
    assert.ok(success.some((problem) => problem.includes('missingProperty":"data')), success.join('\n'));
    const failure = violations('POST', '/consumes', JSON.stringify({ code: 80002, data: {} }), 'event.consume.pickup_code');
    assert.ok(failure.some((problem) => problem.includes('missingProperty":"message')), failure.join('\n'));
  });

  it('as published in the API reference: a failure with code 0, a success with any other code', () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    const failure = ajv.compile(FAILURE_ENVELOPE);
    assert.equal(failure({ code: 0, message: 'ok', data: {} }), false);
    assert.equal(failure({ code: 80002, message: '查不到对应记录', data: {} }), true);
    const success = ajv.compile(successEnvelope({ type: 'string', const: 'pong' }));
    assert.equal(success({ code: 80002, message: 'ok', data: 'pong' }), false);
    assert.equal(success({ code: 0, message: 'ok', data: 'pong' }), true);
  });

  it('a failure with a code outside the catalogue', () => {
    const found = violations('POST', '/consumes', JSON.stringify({ code: 12345, message: 'odd', data: {} }), 'event.consume.pickup_code');
    assert.ok(found.some((problem) => problem.includes('/code must be equal to one of the allowed values')), found.join('\n'));
  });
});
