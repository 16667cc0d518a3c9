/** The life of a pickup code, decided without a database: every transition and every refusal. */
import assert from 'node:assert/strict';
import { decideRedeem } from '../../src/domain/redemptions.js';
import { describe, it } from '../helpers/node-test.js';
import {
  cancelledMessages,
  codesCreated,
  decideCancel,
  decideCancelAll,
  decideCancelMany,
  decideCancelProduct,
  decideConsume,
  decideCreate,
  decideCreateForAll,
  visibleStatus,
  type CodeState,
} from '../../src/domain/pickup-codes.js';
import { MACHINE_METHOD } from '../../src/protocol/machine-messages.js';

const NOW = 1_900_000_000;
const on = { pickup_codes_enabled: 1, operating: 1 };
const unused: CodeState = { status: 'UNUSED', order_id: null };
const code = (id: number) => ({ id, product_id: 7, code: `90000${id}`, quantity: 1, expired_at: null });

describe('creating codes', () => {
  it('plans count codes of a product on sale within its capacity', () => {
    assert.deepEqual(decideCreate(on, { id: 7, on_sale: 1, capacity: 10, inventory: 4 }, 3), { create: [{ productId: 7, count: 3 }] });
  });
  it('is refused on a machine with pickup codes off, before anything about the product', () => {
    assert.deepEqual(decideCreate({ pickup_codes_enabled: 0 }, undefined, 1), { refused: 'disabled' });
  });
  it('is refused for a product not of the machine', () => {
    assert.deepEqual(decideCreate(on, undefined, 1), { refused: 'product-not-found' });
  });
  it('is refused for a product off sale', () => {
    assert.deepEqual(decideCreate(on, { id: 7, on_sale: 0, capacity: 10, inventory: 4 }, 1), { refused: 'off-sale' });
  });
  it('is refused above the product’s capacity, naming it', () => {
    assert.deepEqual(decideCreate(on, { id: 7, on_sale: 1, capacity: 2, inventory: 2 }, 3), { refused: 'above-capacity', capacity: 2 });
  });
  it('under a stock limit plans codes up to the stock, counting the live ones, and refuses the excess naming what is left', () => {
    const product = { id: 7, on_sale: 1, capacity: 10, inventory: 4 };
    assert.deepEqual(decideCreate(on, product, 3, { limit: 'stock', live: 1 }), { create: [{ productId: 7, count: 3 }] });
    assert.deepEqual(decideCreate(on, product, 2, { limit: 'stock', live: 3 }), { refused: 'above-live-codes-limit', limit: 'stock', ceiling: 4, allowed: 1 });
  });
  it('under a capacity limit counts the live codes against the capacity, and off lets them pass it', () => {
    const product = { id: 7, on_sale: 1, capacity: 10, inventory: 4 };
    assert.deepEqual(decideCreate(on, product, 5, { limit: 'capacity', live: 6 }), { refused: 'above-live-codes-limit', limit: 'capacity', ceiling: 10, allowed: 4 });
    assert.deepEqual(decideCreate(on, product, 4, { limit: 'capacity', live: 6 }), { create: [{ productId: 7, count: 4 }] });
    assert.deepEqual(decideCreate(on, product, 5, { limit: 'off', live: 6 }), { create: [{ productId: 7, count: 5 }] });
  });
  it('for every product tops live codes up to the stock, never below zero', () => {
    const plan = decideCreateForAll(on, [{ id: 1, inventory: 5 }, { id: 2, inventory: 2 }, { id: 3, inventory: 4 }], new Map([[1, 2], [2, 3]]));
    assert.deepEqual(plan, { create: [{ productId: 1, count: 3 }, { productId: 2, count: 0 }, { productId: 3, count: 4 }] });
  });
  it('for every product is refused with pickup codes off', () => {
    assert.deepEqual(decideCreateForAll({ pickup_codes_enabled: 0 }, [{ id: 1, inventory: 5 }], new Map()), { refused: 'disabled' });
  });
  it('writes a create history row per code and pushes each code, with used 0', () => {
    const change = codesCreated([code(1), code(2)], 'Asia/Shanghai');
    assert.deepEqual(change.history, [{ codeId: 1, action: 'create', from: null, to: 'UNUSED' }, { codeId: 2, action: 'create', from: null, to: 'UNUSED' }]);
    assert.deepEqual(change.messages.map((m) => [m.method, m.fields.id, m.fields.used]), [[MACHINE_METHOD.CODE_CREATED, '1', '0'], [MACHINE_METHOD.CODE_CREATED, '2', '0']]);
  });
  it('pushes every code of a large batch one by one (a sync is the dispatcher\'s choice, not the rule\'s)', () => {
    const many = Array.from({ length: 30 }, (_, i) => code(i + 1));
    const messages = codesCreated(many, 'Asia/Shanghai').messages;
    assert.equal(messages.length, 30);
    assert.ok(messages.every((m) => m.method === MACHINE_METHOD.CODE_CREATED));
  });
});

describe('cancelling one code', () => {
  it('moves an UNUSED code to CANCELLED, writes its history and pushes its deletion', () => {
    assert.deepEqual(decideCancel(4, unused), {
      history: [{ codeId: 4, action: 'cancel', from: 'UNUSED', to: 'CANCELLED' }],
      messages: [{ method: MACHINE_METHOD.CODE_DELETED, fields: { id: '4' } }],
    });
  });
  it('is refused as used for a USED code, naming its order', () => {
    assert.deepEqual(decideCancel(4, { status: 'USED', order_id: 9 }), { refused: 'used', orderId: 9 });
  });
  it('is refused as not found for a cancelled code and for a code of no such machine', () => {
    assert.deepEqual(decideCancel(4, { status: 'CANCELLED', order_id: null }), { refused: 'not-found' });
    assert.deepEqual(decideCancel(4, undefined), { refused: 'not-found' });
  });
});

describe('cancelling codes by ids (all or nothing)', () => {
  it('cancels every listed code once, in id order, with one deletion each', () => {
    const decision = decideCancelMany([5, 3, 5], new Map([[3, unused], [5, unused]]));
    assert.ok(!('refused' in decision));
    assert.deepEqual(decision.cancel, [3, 5]);
    assert.deepEqual(decision.history.map((h) => [h.codeId, h.action, h.to]), [[3, 'cancel', 'CANCELLED'], [5, 'cancel', 'CANCELLED']]);
    assert.deepEqual(decision.messages.map((m) => m.fields.id), ['3', '5']);
  });
  it('is refused naming the first id that is not a code of the machine', () => {
    assert.deepEqual(decideCancelMany([3, 8, 9], new Map([[3, unused]])), { refused: 'not-found', codeId: 8 });
  });
  it('is refused naming a used code and its order', () => {
    assert.deepEqual(decideCancelMany([3, 6], new Map([[3, unused], [6, { status: 'USED', order_id: 2 }]])), { refused: 'used', orderId: 2, codeId: 6 });
  });
  it('pushes a deletion per code however many, in id order', () => {
    const ids = Array.from({ length: 30 }, (_, i) => 30 - i);
    const decision = decideCancelMany(ids, new Map(ids.map((id) => [id, unused])));
    assert.ok(!('refused' in decision));
    assert.deepEqual(decision.messages.map((m) => [m.method, m.fields.id]), ids.map((_, i) => [MACHINE_METHOD.CODE_DELETED, String(i + 1)]));
  });
});

describe('cancelling in bulk', () => {
  it('cancel-all moves UNUSED codes to CANCELLED, marked as a cancel-all', () => {
    assert.deepEqual(decideCancelAll().transition, { action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'cancel all' });
  });
  it('cancel by product is refused for a product not of the machine', () => {
    assert.deepEqual(decideCancelProduct(false), { refused: 'product-not-found' });
    assert.deepEqual(decideCancelProduct(true), { transition: { action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'cancel product' } });
  });
  it('pushes nothing for no code and a deletion per code otherwise, in id order', () => {
    assert.deepEqual(cancelledMessages([]).messages, []);
    assert.deepEqual(cancelledMessages([2, 1]).messages.map((m) => m.fields.id), ['1', '2']);
  });
});

describe('consuming through the API', () => {
  const live = { id: 4, status: 'UNUSED' as const, order_id: null, expired_at: NOW + 60 };
  const asked = { machineId: 1, code: '900004', productId: 7, notifyUrl: 'https://m.example/n' };
  it('moves a live code to USED, writes its history and drops it from the machine', () => {
    assert.deepEqual(decideConsume(on, live, undefined, asked, NOW), {
      codeId: 4,
      history: [{ codeId: 4, action: 'consume', from: 'UNUSED', to: 'USED' }],
      messages: [{ method: MACHINE_METHOD.CODE_DELETED, fields: { id: '4' } }],
    });
  });
  it('repeats the earlier order for the same trade_id asking the same, even with the machine stopped', () => {
    const earlier = { machineId: 1, code: '900004', productId: 7, notifyUrl: 'https://m.example/n' };
    assert.deepEqual(decideConsume({ pickup_codes_enabled: 0, operating: 0 }, undefined, earlier, asked, NOW), { repeat: true });
  });
  it('is refused when the trade_id made an order asking something else', () => {
    const earlier = { machineId: 1, code: '900005', productId: 7, notifyUrl: 'https://m.example/n' };
    assert.deepEqual(decideConsume(on, live, earlier, asked, NOW), { refused: 'trade-id-reused' });
  });
  it('is refused with pickup codes off, then with the machine not operating', () => {
    assert.deepEqual(decideConsume({ pickup_codes_enabled: 0, operating: 0 }, live, undefined, asked, NOW), { refused: 'disabled' });
    assert.deepEqual(decideConsume({ pickup_codes_enabled: 1, operating: 0 }, live, undefined, asked, NOW), { refused: 'not-operating' });
  });
  it('is refused as not found for no code or a cancelled one, as used for a used one, as expired past its expiry', () => {
    assert.deepEqual(decideConsume(on, undefined, undefined, asked, NOW), { refused: 'not-found' });
    assert.deepEqual(decideConsume(on, { ...live, status: 'CANCELLED' }, undefined, asked, NOW), { refused: 'not-found' });
    assert.deepEqual(decideConsume(on, { ...live, status: 'USED', order_id: 3 }, undefined, asked, NOW), { refused: 'used', orderId: 3 });
    assert.deepEqual(decideConsume(on, { ...live, expired_at: NOW }, undefined, asked, NOW), { refused: 'expired' });
  });
});

describe('redeeming at the machine', () => {
  const live = { id: 4, status: 'UNUSED' as const, expired_at: NOW + 60 };
  it('moves an UNUSED code to USED and pushes its delete back (a push already on its way may carry it to the keypad again)', () => {
    assert.deepEqual(decideRedeem(live, NOW, false), {
      outcome: 'redeemed',
      spends: true,
      history: [{ codeId: 4, action: 'redeem', from: 'UNUSED', to: 'USED' }],
      messages: [{ method: 'client.pickup_codes.delete', fields: { id: '4' } }],
    });
  });
  it('moves a CANCELLED code to USED too (the item left), writing the conflict and pushing a delete', () => {
    assert.deepEqual(decideRedeem({ ...live, status: 'CANCELLED' }, NOW, false), {
      outcome: 'redeemed-after-cancel',
      spends: true,
      conflict: 'CANCELLED',
      history: [{ codeId: 4, action: 'conflict', from: 'CANCELLED', to: 'USED', detail: 'conflict: redeemed at the machine after it was cancelled' }],
      messages: [{ method: 'client.pickup_codes.delete', fields: { id: '4' } }],
    });
  });
  it('moves an expired code to USED, writing the conflict and pushing a delete', () => {
    const decision = decideRedeem({ ...live, expired_at: NOW }, NOW, false);
    assert.equal(decision.outcome, 'redeemed');
    assert.ok('history' in decision);
    assert.equal(decision.conflict, 'EXPIRED');
    assert.equal(decision.spends, true);
    assert.deepEqual(decision.history, [{ codeId: 4, action: 'conflict', from: 'UNUSED', to: 'USED', detail: 'conflict: redeemed at the machine after it expired' }]);
    assert.equal(decision.messages.length, 1);
  });
  it('a USED code redeemed again is a conflict that spends nothing: written, and a delete pushed', () => {
    const decision = decideRedeem({ ...live, status: 'USED' }, NOW, false);
    assert.equal(decision.outcome, 'already-used');
    assert.ok('history' in decision);
    assert.equal(decision.conflict, 'USED');
    assert.equal(decision.spends, false);
    assert.deepEqual(decision.history, [{ codeId: 4, action: 'conflict', from: 'USED', to: 'USED', detail: 'conflict: redeemed at the machine after it was used' }]);
    assert.deepEqual(decision.messages, [{ method: 'client.pickup_codes.delete', fields: { id: '4' } }]);
  });
  it('changes nothing for a report that may be the machine’s own redemption sent again, or an unknown code', () => {
    assert.deepEqual(decideRedeem({ ...live, status: 'USED' }, NOW, true), { outcome: 'already-used' });
    assert.deepEqual(decideRedeem(undefined, NOW, false), { outcome: 'unknown-code' });
  });
});

describe('expiry', () => {
  it('an UNUSED code reads as EXPIRED from its expiry on; other statuses stay as they are', () => {
    assert.equal(visibleStatus({ status: 'UNUSED', expired_at: NOW + 1 }, NOW), 'UNUSED');
    assert.equal(visibleStatus({ status: 'UNUSED', expired_at: NOW }, NOW), 'EXPIRED');
    assert.equal(visibleStatus({ status: 'UNUSED', expired_at: null }, NOW), 'UNUSED');
    assert.equal(visibleStatus({ status: 'USED', expired_at: NOW - 1 }, NOW), 'USED');
  });
});
