/** What a payload field may hold: each rule of src/domain/fields.ts at its edges, and the 10001 that names the field. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { idField, isCabinetName, isCapacity, isFloorType, isInventoryWithin, isMachineNo, isPositiveId, machineNoField, PayloadReader } from '../../src/domain/fields.js';

const reader = (payload: Record<string, unknown>) => new PayloadReader(payload as never);

/** Asserts the call is refused with a 10001 whose detail is exactly `detail`. */
function refused(call: () => unknown, detail: string) {
  assert.throws(call, (error: { code?: number; detail?: string }) => {
    assert.equal(error.code, 10001);
    assert.equal(error.detail, detail);
    return true;
  });
}

describe('machine numbers and ids', () => {
  it('a machine number is 8 to 32 digits, nothing else', () => {
    assert.equal(isMachineNo('12345678'), true);
    assert.equal(isMachineNo('1'.repeat(32)), true);
    assert.equal(isMachineNo('1234567'), false);
    assert.equal(isMachineNo('1'.repeat(33)), false);
    assert.equal(isMachineNo('x12345678'), false);
    assert.equal(isMachineNo('12345678x'), false);
  });
  it('a positive id has no leading zero, at most 16 digits, and is a safe integer', () => {
    assert.equal(isPositiveId('1'), true);
    assert.equal(isPositiveId('9007199254740991'), true);
    assert.equal(isPositiveId('9007199254740993'), false);
    assert.equal(isPositiveId('0'), false);
    assert.equal(isPositiveId('01'), false);
    assert.equal(isPositiveId('1'.repeat(17)), false);
    assert.equal(isPositiveId('x1'), false);
    assert.equal(isPositiveId('1x'), false);
  });
  it('machineNoField returns a good number and refuses a bad one naming machine_no', () => {
    assert.equal(machineNoField('12345678'), '12345678');
    refused(() => machineNoField('123'), 'machine_no must be a string of digits');
  });
  it('idField returns the number and refuses a non-id naming the field', () => {
    assert.equal(idField('product_id', '42'), 42);
    refused(() => idField('product_id', '0'), 'product_id must be a positive integer');
  });
});

describe('reading a payload', () => {
  it('content leaves out empty and null fields, sign and timestamp, and keeps the rest', () => {
    const content = reader({ machine_no: '12345678', sign: 's', timestamp: '1', empty: '', nothing: null, zero: '0', nested: { a: '1' } }).content();
    assert.deepEqual(content, { machine_no: '12345678', zero: '0', nested: { a: '1' } });
  });
  it('an absent, null or empty field reads as absent; an object or array is refused by name', () => {
    assert.equal(reader({}).optionalText('a'), undefined);
    assert.equal(reader({ a: null }).optionalText('a'), undefined);
    assert.equal(reader({ a: '' }).optionalText('a'), undefined);
    assert.equal(reader({ a: 'x' }).optionalText('a'), 'x');
    refused(() => reader({ a: { b: '1' } }).optionalText('a'), 'a must be a string, not an object or array');
    refused(() => reader({ a: ['1'] }).optionalText('a'), 'a must be a string, not an object or array');
  });
  it('a route may read only the fields it declared: reading another is a programming error, not a refusal', () => {
    const declared = new PayloadReader({ a: 'x', b: 'y' }, new Set(['a']));
    assert.equal(declared.optionalText('a'), 'x');
    assert.throws(() => declared.optionalText('b'), { message: 'the route reads the payload field b, which it does not declare' });
  });
  it('a required field that is absent is refused as required', () => {
    refused(() => reader({}).text('machine_no'), 'machine_no is required');
    assert.equal(reader({ machine_no: 'abc' }).text('machine_no'), 'abc');
  });
  it('machineNo reads and checks machine_no', () => {
    assert.equal(reader({ machine_no: '12345678' }).machineNo(), '12345678');
    refused(() => reader({ machine_no: '1234' }).machineNo(), 'machine_no must be a string of digits');
  });
  it('id and optionalId read a positive id; optionalId is undefined when absent', () => {
    assert.equal(reader({ product_id: '7' }).id('product_id'), 7);
    assert.equal(reader({}).optionalId('product_id'), undefined);
    assert.equal(reader({ product_id: '8' }).optionalId('product_id'), 8);
    refused(() => reader({ product_id: '-1' }).optionalId('product_id'), 'product_id must be a positive integer');
  });
  it('an integer is within [min, max], digits only, and the fallback when absent', () => {
    const bounds = { min: 2, max: 5, fallback: 3 };
    assert.equal(reader({}).integer('n', bounds), 3);
    assert.equal(reader({ n: '2' }).integer('n', bounds), 2);
    assert.equal(reader({ n: '5' }).integer('n', bounds), 5);
    refused(() => reader({ n: '1' }).integer('n', bounds), 'n must be an integer from 2 to 5');
    refused(() => reader({ n: '6' }).integer('n', bounds), 'n must be an integer from 2 to 5');
    refused(() => reader({ n: '3.0' }).integer('n', bounds), 'n must be an integer from 2 to 5');
    refused(() => reader({ n: 'x3' }).integer('n', bounds), 'n must be an integer from 2 to 5');
    refused(() => reader({ n: '3x' }).integer('n', bounds), 'n must be an integer from 2 to 5');
  });
  it('paging defaults to page 1 of 10, and caps per_page at 100 rather than refusing it', () => {
    assert.deepEqual(reader({}).paging(), { page: 1, perPage: 10 });
    assert.deepEqual(reader({ page: '3', per_page: '100' }).paging(), { page: 3, perPage: 100 });
    assert.deepEqual(reader({ page: '1000000', per_page: '1000000' }).paging(), { page: 1_000_000, perPage: 100 });
    refused(() => reader({ page: '0' }).paging(), 'page must be an integer from 1 to 1000000');
    refused(() => reader({ page: '1000001' }).paging(), 'page must be an integer from 1 to 1000000');
    refused(() => reader({ per_page: '0' }).paging(), 'per_page must be an integer from 1 to 1000000');
    refused(() => reader({ per_page: '1000001' }).paging(), 'per_page must be an integer from 1 to 1000000');
  });
  it('oneOf accepts a listed value, falls back when absent, and refuses anything else', () => {
    assert.equal(reader({ s: 'b' }).oneOf('s', ['a', 'b']), 'b');
    assert.equal(reader({}).oneOf('s', ['a', 'b'], 'a'), 'a');
    refused(() => reader({}).oneOf('s', ['a', 'b']), 's is required');
    refused(() => reader({ s: 'c' }).oneOf('s', ['a', 'b']), 's must be one of a, b');
  });
  it('a future wall time is read in the zone; null when absent; refused when malformed or not after now', () => {
    // 2030-01-01 08:00:00 in Shanghai is 2030-01-01T00:00:00Z = 1893456000.
    const at = 1_893_456_000;
    assert.equal(reader({}).futureWallTime('expired_at', 'Asia/Shanghai', at), null);
    assert.equal(reader({ expired_at: '2030-01-01 08:00:00' }).futureWallTime('expired_at', 'Asia/Shanghai', at - 1), at);
    assert.equal(reader({ expired_at: '2030-01-01 08:00:00' }).futureWallTime('expired_at', 'UTC', at), at + 8 * 3600);
    refused(() => reader({ expired_at: '2030-01-01 08:00:00' }).futureWallTime('expired_at', 'Asia/Shanghai', at), 'expired_at must be in the future');
    refused(() => reader({ expired_at: '2030-01-01T08:00:00' }).futureWallTime('expired_at', 'Asia/Shanghai', 0), 'expired_at must be YYYY-MM-DD HH:mm:ss');
  });
  it('a pickup code is 6 to 10 digits', () => {
    assert.equal(reader({ code: '123456' }).pickupCode(), '123456');
    assert.equal(reader({ code: '1234567890' }).pickupCode(), '1234567890');
    refused(() => reader({ code: '12345' }).pickupCode(), 'code must be 6 to 10 digits');
    refused(() => reader({ code: '12345678901' }).pickupCode(), 'code must be 6 to 10 digits');
    refused(() => reader({ code: 'a123456' }).pickupCode(), 'code must be 6 to 10 digits');
    refused(() => reader({ code: '123456a' }).pickupCode(), 'code must be 6 to 10 digits');
    refused(() => reader({}).pickupCode(), 'code is required');
  });
  it('a code prefix is 1 to 10 digits, or absent', () => {
    assert.equal(reader({}).optionalCodePrefix(), undefined);
    assert.equal(reader({ code: '1' }).optionalCodePrefix(), '1');
    assert.equal(reader({ code: '1234567890' }).optionalCodePrefix(), '1234567890');
    refused(() => reader({ code: '12345678901' }).optionalCodePrefix(), 'code must be 1 to 10 digits');
    refused(() => reader({ code: 'a1' }).optionalCodePrefix(), 'code must be 1 to 10 digits');
    refused(() => reader({ code: '1a' }).optionalCodePrefix(), 'code must be 1 to 10 digits');
  });
  it('a trade id is 20 to 32 letters, digits, _ or -', () => {
    assert.equal(reader({ trade_id: 'aZ09_-aZ09_-aZ09_-aZ' }).tradeId(), 'aZ09_-aZ09_-aZ09_-aZ');
    assert.equal(reader({ trade_id: 'a'.repeat(32) }).tradeId(), 'a'.repeat(32));
    refused(() => reader({ trade_id: 'a'.repeat(19) }).tradeId(), 'trade_id must be 20 to 32 letters, digits, _ or -');
    refused(() => reader({ trade_id: 'a'.repeat(33) }).tradeId(), 'trade_id must be 20 to 32 letters, digits, _ or -');
    refused(() => reader({ trade_id: `!${'a'.repeat(20)}` }).tradeId(), 'trade_id must be 20 to 32 letters, digits, _ or -');
    refused(() => reader({ trade_id: `${'a'.repeat(20)}!` }).tradeId(), 'trade_id must be 20 to 32 letters, digits, _ or -');
  });
  it('an http URL is http or https, parseable, and at most 1024 characters', () => {
    assert.equal(reader({ u: 'http://a.example/x' }).httpUrl('u'), 'http://a.example/x');
    assert.equal(reader({ u: 'https://a.example/x' }).httpUrl('u'), 'https://a.example/x');
    const longest = `https://a.example/${'x'.repeat(1024 - 18)}`;
    assert.equal(reader({ u: longest }).httpUrl('u'), longest);
    refused(() => reader({ u: `${longest}x` }).httpUrl('u'), 'u must be an http or https URL');
    refused(() => reader({ u: 'ftp://a.example/' }).httpUrl('u'), 'u must be an http or https URL');
    refused(() => reader({ u: 'not a url' }).httpUrl('u'), 'u must be an http or https URL');
  });
});

describe('what an operator or an import sets on a machine', () => {
  it('a cabinet is one capital letter, A to Z', () => {
    assert.deepEqual(['A', 'Z', 'a', 'AB', '', '1', 'Ä'].map(isCabinetName), [true, true, false, false, false, false, false]);
  });
  it('a capacity is a whole number of at least 1', () => {
    assert.deepEqual([1, 200, 0, -1, 1.5, Number.NaN].map(isCapacity), [true, true, false, false, false, false]);
  });
  it('stock is a whole number from 0 to the capacity', () => {
    assert.deepEqual([0, 5, 10, -1, 11, 2.5].map((inventory) => isInventoryWithin(inventory, 10)), [true, true, true, false, false, false]);
  });
  it('a floor type is 1 (motor), 2 (electronic lock) or 3 (belt)', () => {
    assert.deepEqual([1, 2, 3, 0, 4, 1.5].map(isFloorType), [true, true, true, false, false, false]);
  });
});
