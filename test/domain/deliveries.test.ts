/** The rules of a delivery, decided without a database: who may be vended, stay times, results, timeouts. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { channelNumber, decideDelivery, decideResult, decideTimeout, stayTimeSeconds, TIMEOUT_REASON } from '../../src/domain/deliveries.js';

const machine = { id: 5, is_online: 1 };
const order = { machine_id: 5, status: 'PICKUPCODE' };
const record = { order_id: 9, status: 'WAITING_PICKED_UP' };
const ok = { deliverStatus: 1 as const, floorStatus: 1, errorMsg: '' };
const jam = { deliverStatus: 0 as const, floorStatus: 2, errorMsg: 'Goods are Stuck' };

describe('deciding a delivery', () => {
  it('vends a waiting record of a PICKUPCODE or paid order of the machine', () => {
    assert.deepEqual(decideDelivery({ order, record, machine, orderId: 9 }), { deliver: true });
    assert.deepEqual(decideDelivery({ order: { ...order, status: 'SUCCESS' }, record, machine, orderId: 9 }), { deliver: true });
  });
  it('finds no order of another machine, no record of another order, nothing missing', () => {
    assert.deepEqual(decideDelivery({ order: { ...order, machine_id: 6 }, record, machine, orderId: 9 }), { refused: 'not-found' });
    assert.deepEqual(decideDelivery({ order, record: { ...record, order_id: 10 }, machine, orderId: 9 }), { refused: 'not-found' });
    assert.deepEqual(decideDelivery({ order: undefined, record: undefined, machine, orderId: 9 }), { refused: 'not-found' });
  });
  it('refuses an unpaid order and a record delivered or delivering already', () => {
    assert.deepEqual(decideDelivery({ order: { ...order, status: 'NOTPAY' }, record, machine, orderId: 9 }), { refused: 'not-deliverable' });
    for (const status of ['IS_DELIVERING', 'IS_SUCCESS', 'IS_FAILED', 'IS_TIMEOUT']) {
      assert.deepEqual(decideDelivery({ order, record: { ...record, status }, machine, orderId: 9 }), { refused: 'not-deliverable' });
    }
  });
  it('refuses an offline machine after the order checks (30002 only for a deliverable record)', () => {
    assert.deepEqual(decideDelivery({ order, record, machine: { id: 5, is_online: 0 }, orderId: 9 }), { refused: 'offline' });
    assert.deepEqual(decideDelivery({ order: undefined, record, machine: { id: 5, is_online: 0 }, orderId: 9 }), { refused: 'not-found' });
  });
});

describe('stay times (delivery_put.md)', () => {
  it('lock 15 s, motor 30 s, belt 90 s, anything else 45 s', () => {
    assert.deepEqual([2, 1, 3, 0, 7].map(stayTimeSeconds), [15, 30, 90, 45, 45]);
  });
});

describe("a machine's result", () => {
  it('a success settles IS_SUCCESS; an order item stays out of stock, a test vend takes one out', () => {
    assert.deepEqual(decideResult({ status: 'IS_DELIVERING', isTest: false }, ok), { status: 'IS_SUCCESS', failReason: null, stock: 'none', result: ok });
    assert.equal((decideResult({ status: 'IS_DELIVERING', isTest: true }, ok) as { stock: string }).stock, 'take-out');
  });
  it('a failure settles IS_FAILED with the reason and puts an order item back', () => {
    assert.deepEqual(decideResult({ status: 'IS_DELIVERING', isTest: false }, jam), { status: 'IS_FAILED', failReason: 'Goods are Stuck', stock: 'put-back', result: jam });
    assert.equal((decideResult({ status: 'IS_DELIVERING', isTest: false }, { ...jam, errorMsg: '' }) as { failReason: string }).failReason, 'floor status 2');
  });
  it('a result for a settled delivery is a duplicate and changes nothing', () => {
    for (const status of ['IS_SUCCESS', 'IS_FAILED'] as const) assert.deepEqual(decideResult({ status, isTest: false }, ok), { duplicate: true });
    assert.deepEqual(decideResult({ status: 'IS_TIMEOUT', isTest: false }, jam), { duplicate: true });
  });
  it("the machine's success beats the timer: IS_TIMEOUT becomes IS_SUCCESS and the item leaves stock again", () => {
    assert.deepEqual(decideResult({ status: 'IS_TIMEOUT', isTest: false }, ok), { status: 'IS_SUCCESS', failReason: null, stock: 'take-out', result: ok });
  });
  it('a timeout settles IS_TIMEOUT with its reason and puts an order item back', () => {
    const timeout = decideTimeout({ isTest: false });
    assert.equal(timeout.status, 'IS_TIMEOUT');
    assert.equal(timeout.failReason, TIMEOUT_REASON);
    assert.equal(timeout.stock, 'put-back');
    assert.equal(timeout.result.deliverStatus, 0);
    assert.equal(decideTimeout({ isTest: true }).stock, 'none');
  });
});

describe('channel numbers (channel.debugging.md: code %100)', () => {
  it('reads the code, else the digits of the name', () => {
    assert.equal(channelNumber({ channel_code: '112', channel_name: 'A1' }), 12);
    assert.equal(channelNumber({ channel_code: 'A20', channel_name: 'A20' }), 20);
    assert.equal(channelNumber({ channel_code: '', channel_name: 'X' }), 0);
  });
});
