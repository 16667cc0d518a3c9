/**
 * The domain rules at their boundaries, with literal expectations (the existing suites
 * compute some of these from the production constants, so a changed constant passed them).
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import {
  cancelledMessages,
  codesCreated,
  decideCancelMany,
  decideConsume,
  decideCreate,
  isRefusal,
  PICKUP_ORDER_STATUS,
  PICKUP_RECORD_STATUS,
} from '../../src/domain/pickup-codes.js';
import { callbackSigningForm, deliveryResponseFields, eventEnvelope, isCallbackSignForm, nextAttemptAt } from '../../src/domain/callbacks.js';
import { channelNumber, decideResult, decideTimeout } from '../../src/domain/deliveries.js';

const code = (id: number) => ({ id, product_id: 7, code: `90000${id}`, quantity: 1, expired_at: null });
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('pickup codes at their edges', () => {
  it('a product takes exactly its capacity in codes, and one more is refused', () => {
    const product = { id: 7, on_sale: 1, capacity: 3, inventory: 3 };
    assert.deepEqual(decideCreate({ pickup_codes_enabled: 1 }, product, 3), { create: [{ productId: 7, count: 3 }] });
    assert.deepEqual(decideCreate({ pickup_codes_enabled: 1 }, product, 4), { refused: 'above-capacity', capacity: 3 });
  });
  it('every created code is pushed as its own create, however many (the link batches them, not the domain)', () => {
    const messages = codesCreated(ids(21).map(code), 'Asia/Shanghai').messages;
    assert.equal(messages.length, 21);
    assert.ok(messages.every((m) => m.method === 'client.pickup_codes.create'));
    assert.deepEqual(messages.map((m) => m.fields.id), ids(21).map(String));
  });
  it('every cancelled code is pushed as its own delete, in id order', () => {
    assert.deepEqual(cancelledMessages([]).messages, []);
    assert.deepEqual(cancelledMessages([3, 1, 2]).messages, [
      { method: 'client.pickup_codes.delete', fields: { id: '1' } },
      { method: 'client.pickup_codes.delete', fields: { id: '2' } },
      { method: 'client.pickup_codes.delete', fields: { id: '3' } },
    ]);
  });
  it('a cancel by ids writes history naming the ids cancel', () => {
    const codes = new Map([[5, { status: 'UNUSED' as const, order_id: null }]]);
    const change = decideCancelMany([5], codes);
    assert.ok(!isRefusal(change));
    assert.deepEqual(change.history, [{ codeId: 5, action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'cancel ids' }]);
  });
  it('a trade_id is a retry only when machine, code, product and notify_url all match', () => {
    const on = { pickup_codes_enabled: 1, operating: 1 };
    const asked = { machineId: 1, code: '900004', productId: 7, notifyUrl: 'https://m.example/n' };
    const live = { id: 4, status: 'UNUSED' as const, order_id: null, expired_at: null };
    assert.deepEqual(decideConsume(on, live, { ...asked }, asked, 0), { repeat: true });
    for (const differs of [{ machineId: 2 }, { code: '900005' }, { productId: 8 }, { notifyUrl: 'https://m.example/other' }]) {
      assert.deepEqual(decideConsume(on, live, { ...asked, ...differs }, asked, 0), { refused: 'trade-id-reused' }, JSON.stringify(differs));
    }
  });
  it('isRefusal tells a refusal from a plan', () => {
    assert.equal(isRefusal({ refused: 'disabled' }), true);
    assert.equal(isRefusal({ create: [] }), false);
  });
  it('orders made by redeeming a code are PICKUPCODE, their records WAITING_PICKED_UP (the original’s wire values)', () => {
    assert.equal(PICKUP_ORDER_STATUS, 'PICKUPCODE');
    assert.equal(PICKUP_RECORD_STATUS, 'WAITING_PICKED_UP');
  });
});

describe('callbacks at their edges', () => {
  it('an attempt due exactly 24 hours after queueing still happens; one second later the callback has failed for good', () => {
    // After the 6th failure the delay is 21600 s.
    assert.equal(nextAttemptAt(1000, 6, 1000 + 86_400 - 21_600), 1000 + 86_400);
    assert.equal(nextAttemptAt(1000, 6, 1000 + 86_400 - 21_600 + 1), undefined);
  });
  it('the retry delays are 15 s, 1 min, 5 min, 30 min, 2 h, then 6 h repeated', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 9].map((failed) => nextAttemptAt(0, failed, 0)), [15, 60, 300, 1800, 7200, 21600, 21600, 21600]);
  });
  it('the delivery callback body is the original’s: method, numeric ids, statuses as text; a debug vend has no ids', () => {
    assert.deepEqual(deliveryResponseFields({ orderId: 11, recordId: 12, deliverStatus: 1, floorStatus: 1, errorMsg: '' }), {
      method: 'device.delivery.response',
      order_id: 11,
      record_id: 12,
      deliver_status: '1',
      floor_status: '1',
      error_msg: '',
    });
    assert.deepEqual(deliveryResponseFields({ orderId: null, recordId: null, deliverStatus: 0, floorStatus: 2, errorMsg: 'jam' }), {
      method: 'device.delivery.response',
      deliver_status: '0',
      floor_status: '2',
      error_msg: 'jam',
    });
  });
  it('an event reaches the webhook as id, type, created_at and data', () => {
    assert.deepEqual(eventEnvelope('e1', 'machine.online', 5, { machine_no: '1' }), { id: 'e1', type: 'machine.online', created_at: 5, data: { machine_no: '1' } });
  });
  it('a callback sign form is auto or one of the three signing forms', () => {
    for (const form of ['auto', 'raw', 'query-escaped', 'uri-encoded-twice']) assert.equal(isCallbackSignForm(form), true, form);
    for (const form of ['', 'Auto', 'other']) assert.equal(isCallbackSignForm(form), false, form);
  });
  it('under auto a callback is signed in the form of the merchant’s latest request, raw before any', () => {
    assert.equal(callbackSigningForm('auto', null), 'raw');
    assert.equal(callbackSigningForm('auto', 'query-escaped'), 'query-escaped');
    assert.equal(callbackSigningForm('uri-encoded-twice', 'raw'), 'uri-encoded-twice');
  });
});

describe('deliveries at their edges', () => {
  it('a delivery that heard nothing fails with the reason "no result from the machine in time" and floor status 47', () => {
    assert.deepEqual(decideTimeout({ isTest: false }), {
      status: 'IS_TIMEOUT',
      failReason: 'no result from the machine in time',
      stock: 'put-back',
      result: { deliverStatus: 0, floorStatus: 47, errorMsg: 'no result from the machine in time' },
    });
  });
  it('a failed vend without a message is explained by its floor status', () => {
    const settled = decideResult({ status: 'IS_DELIVERING', isTest: false }, { deliverStatus: 0, floorStatus: 3, errorMsg: '' });
    assert.equal('failReason' in settled && settled.failReason, 'floor status 3');
  });
  it('a failed test vend puts nothing back into stock; an order’s failed vend puts its item back', () => {
    const failed = { deliverStatus: 0 as const, floorStatus: 2, errorMsg: 'jam' };
    assert.deepEqual(decideResult({ status: 'IS_DELIVERING', isTest: true }, failed), { status: 'IS_FAILED', failReason: 'jam', stock: 'none', result: failed });
    assert.deepEqual(decideResult({ status: 'IS_DELIVERING', isTest: false }, failed), { status: 'IS_FAILED', failReason: 'jam', stock: 'put-back', result: failed });
  });
  it('a channel code with digits after letters takes the number from the name', () => {
    assert.equal(channelNumber({ channel_code: '12A', channel_name: 'B7' }), 7);
    assert.equal(channelNumber({ channel_code: 'A', channel_name: 'none' }), 0);
  });
});
