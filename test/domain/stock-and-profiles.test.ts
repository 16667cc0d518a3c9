/**
 * The pure rules of a product's stock (src/domain/stock.ts), a machine's link profile
 * (src/domain/link-profiles.ts) and the live-codes limit's ceiling (src/domain/live-codes-limit.ts),
 * each at its edges.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { isLinkMode, linkProfileOf } from '../../src/domain/link-profiles.js';
import { isLiveCodesLimit, liveCodesCeiling } from '../../src/domain/live-codes-limit.js';
import { decideRestock, decideStockSet, type ProductStock } from '../../src/domain/stock.js';

const product = (id: number, inventory: number, on_sale: 0 | 1 = 1, capacity = 10): ProductStock => ({ id, capacity, inventory, on_sale });

describe('setting a product\'s stock', () => {
  it('the stock becomes the count given, from 0 to the capacity, with the reason; the sale state as asked or as it was', () => {
    assert.deepEqual(decideStockSet(product(7, 4, 1), 0, undefined, 'machine report'), {
      productId: 7,
      from: { inventory: 4, on_sale: 1 },
      to: { inventory: 0, on_sale: 1 },
      reason: 'machine report',
    });
    assert.deepEqual(decideStockSet(product(7, 4, 0), 10, undefined, 'set'), { productId: 7, from: { inventory: 4, on_sale: 0 }, to: { inventory: 10, on_sale: 0 }, reason: 'set' });
    assert.deepEqual(decideStockSet(product(7, 4, 1), 5, 0, 'set'), { productId: 7, from: { inventory: 4, on_sale: 1 }, to: { inventory: 5, on_sale: 0 }, reason: 'set' });
    assert.deepEqual(decideStockSet(product(7, 4, 0), 5, 1, 'set'), { productId: 7, from: { inventory: 4, on_sale: 0 }, to: { inventory: 5, on_sale: 1 }, reason: 'set' });
  });
  it('a count below 0, above the capacity or not whole is refused with the capacity; an unknown product is refused', () => {
    for (const inventory of [-1, 11, 2.5, Number.NaN]) {
      assert.deepEqual(decideStockSet(product(7, 4), inventory, 1, 'set'), { refused: 'bad-inventory', capacity: 10 }, String(inventory));
    }
    assert.deepEqual(decideStockSet(undefined, 1, 1, 'set'), { refused: 'product-not-found' });
  });
});

describe('restocking', () => {
  const found = [product(1, 3, 0, 8), product(2, 0, 1, 5)];
  it('operation 1 refills each product to its capacity and puts it on sale', () => {
    assert.deepEqual(decideRestock([1, 2], found, 1), [
      { productId: 1, from: { inventory: 3, on_sale: 0 }, to: { inventory: 8, on_sale: 1 }, reason: 'restock' },
      { productId: 2, from: { inventory: 0, on_sale: 1 }, to: { inventory: 5, on_sale: 1 }, reason: 'restock' },
    ]);
  });
  it('operation 0 takes each product off sale and leaves its stock', () => {
    assert.deepEqual(decideRestock('all', found, 0), [
      { productId: 1, from: { inventory: 3, on_sale: 0 }, to: { inventory: 3, on_sale: 0 }, reason: 'off sale' },
      { productId: 2, from: { inventory: 0, on_sale: 1 }, to: { inventory: 0, on_sale: 0 }, reason: 'off sale' },
    ]);
  });
  it('one asked product that is not the machine\'s refuses the whole restock; an id asked twice counts once; `all` takes what was found', () => {
    assert.deepEqual(decideRestock([1, 2, 3], found, 1), { refused: 'product-not-found' });
    assert.deepEqual(decideRestock([1], found, 1), { refused: 'product-not-found' });
    assert.equal((decideRestock([1, 1, 2], found, 1) as unknown[]).length, 2);
    assert.deepEqual(decideRestock('all', [], 1), []);
  });
});

describe('a machine\'s link profile', () => {
  it('the operator\'s choice wins; under auto a machine is original until it says it is extended', () => {
    assert.equal(linkProfileOf({ link_mode: 'original', link_extended: 1 }), 'original');
    assert.equal(linkProfileOf({ link_mode: 'extended', link_extended: 0 }), 'extended');
    assert.equal(linkProfileOf({ link_mode: 'auto', link_extended: 1 }), 'extended');
    assert.equal(linkProfileOf({ link_mode: 'auto', link_extended: 0 }), 'original');
  });
  it('the modes an operator may choose are auto, original and extended', () => {
    assert.deepEqual(['auto', 'original', 'extended', 'Auto', '', 'off'].map(isLinkMode), [true, true, true, false, false, false]);
  });
});

describe('the live-codes limit', () => {
  it('stock caps a product\'s live codes at its stock, capacity at its capacity, off not at all', () => {
    const stocked = { inventory: 3, capacity: 8 };
    assert.equal(liveCodesCeiling('stock', stocked), 3);
    assert.equal(liveCodesCeiling('capacity', stocked), 8);
    assert.equal(liveCodesCeiling('off', stocked), undefined);
  });
  it('the limits a merchant may choose are stock, capacity and off', () => {
    assert.deepEqual(['stock', 'capacity', 'off', 'on', ''].map(isLiveCodesLimit), [true, true, true, false, false]);
  });
});
