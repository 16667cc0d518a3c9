/**
 * An import file read on its own (issue 20, docs/import.md): any JSON at all gets a list of
 * problems by JSON path, never a throw; records refer to each other within the file.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { readImportFile } from '../../src/domain/import-file.js';
import { originalPlatformFile } from './fixture.js';

const pathsOf = (document: unknown) => (readImportFile(document).problems ?? []).map((problem) => problem.path);

describe('an import file read on its own', () => {
  it('a document of the wrong shape is a problem at its path, never a throw', () => {
    for (const document of [null, 42, 'text', [], true]) assert.deepEqual(pathsOf(document), ['$']);
    const paths = pathsOf({ merchants: 'x', machines: {}, products: [null, 3], pickup_codes: [[]] });
    assert.deepEqual(paths.slice(0, 5), ['$.merchants', '$.machines', '$.products[0]', '$.products[1]', '$.pickup_codes[0]']);
    // Then each record that is not an object reads as an empty one: every field it lacks, by path.
    assert.ok(paths.includes('$.products[1].name') && paths.includes('$.pickup_codes[0].code'), paths.join(' '));
  });

  it('fields of the wrong type are refused by path: objects for texts, fractions for ids, words for flags', () => {
    const file = originalPlatformFile();
    file.merchants[0]!.name = { first: 'x' };
    file.machines[0]!.id = 1.5;
    file.machines[0]!.pickup_codes = 'yes';
    file.products[0]!.capacity = '10 items';
    assert.deepEqual(pathsOf(file), ['$.merchants[0].name', '$.machines[0].id', '$.machines[0].pickup_codes', '$.products[0].capacity']);
  });

  it('ids and numbers may come as strings of digits, as the original platform writes some of them', () => {
    const file = originalPlatformFile();
    file.machines[0]!.id = '10009';
    file.machines[0]!.machine_no = 16327138;
    file.products[0]!.machine_no = 16327138;
    file.products[1]!.machine_no = 16327138;
    for (const code of file.pickup_codes) code.machine_no = 16327138;
    const reading = readImportFile(file);
    assert.equal(reading.problems, undefined, JSON.stringify(reading.problems));
    assert.equal(reading.file!.machines[0]!.id, 10009);
  });

  it('records refer within the file: an unknown merchant, machine or product, and a product of another machine, are refused by path', () => {
    const file = originalPlatformFile();
    file.machines.push({ ...file.machines[0]!, id: 10010, machine_no: '16327139', merchant_id: 999 });
    file.products.push({ ...file.products[0]!, id: 20003, machine_no: '99999999' });
    file.pickup_codes[0]!.product_id = 31337;
    file.pickup_codes[1]!.machine_no = '16327139';
    assert.deepEqual(pathsOf(file), ['$.machines[1].merchant_id', '$.products[2].machine_no', '$.pickup_codes[0].product_id', '$.pickup_codes[1].product_id']);
  });

  it('an id, a number, an Appid or a live code given twice is refused at the second, naming the first', () => {
    const file = originalPlatformFile();
    file.merchants.push({ ...file.merchants[0]!, merchant_id: 10087 });
    file.pickup_codes.push({ ...file.pickup_codes[0]!, id: 999 });
    file.pickup_codes.push({ ...file.pickup_codes[1]!, id: 555, code: '13572468' });
    const problems = readImportFile(file).problems!;
    assert.deepEqual(problems, [
      { path: '$.merchants[1].appid', message: 'ds0123456789abcdef is also at $.merchants[0]' },
      { path: '$.pickup_codes[4].id', message: '555 is also at $.pickup_codes[0]' },
      { path: '$.pickup_codes[3].code', message: '16327138 87654321 is also at $.pickup_codes[0]' },
    ]);
  });

  it('a used or cancelled code needs the time it was used or cancelled', () => {
    const file = originalPlatformFile();
    delete file.pickup_codes[1]!.used_at;
    delete file.pickup_codes[2]!.cancelled_at;
    assert.deepEqual(pathsOf(file), ['$.pickup_codes[1].used_at', '$.pickup_codes[2].cancelled_at']);
  });
});

describe('a code the original platform answers as EXPIRED', () => {
  it('is read as the UNUSED code past its expiry that it is, and needs its expired_at', () => {
    const file = originalPlatformFile();
    file.pickup_codes[0]!.status = 'EXPIRED';
    file.pickup_codes[0]!.expired_at = '2026-11-02 10:00:00';
    const code = readImportFile(file).file!.pickup_codes[0]!;
    assert.equal(code.status, 'UNUSED');
    assert.equal(code.expired_at, 1_793_584_800, "10:00 in Asia/Shanghai is 02:00 UTC");
    file.pickup_codes[0]!.expired_at = null;
    assert.deepEqual(pathsOf(file), ['$.pickup_codes[0].expired_at']);
  });
});

type Kind = 'merchants' | 'machines' | 'products' | 'pickup_codes';
/** The problems of the fixture with one field of its first record of `kind` set (or removed: `undefined`). */
function problemsWith(kind: Kind, changes: Record<string, unknown>) {
  const file = originalPlatformFile();
  const record = file[kind][0]!;
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) delete record[field];
    else record[field] = value;
  }
  return readImportFile(file).problems;
}

describe('each field of an import file, its rule and the problem that names it', () => {
  const cases: Array<[Kind, Record<string, unknown>, string, string]> = [
    ['merchants', { appid: 'bad appid!' }, 'appid', 'must be 1 to 64 letters, digits, _ or -'],
    ['merchants', { appid: undefined }, 'appid', 'is required'],
    ['merchants', { appid: '' }, 'appid', 'is required'],
    ['merchants', { name: undefined }, 'name', 'is required'],
    ['machines', { machine_no: undefined }, 'machine_no', 'is required'],
    ['products', { machine_no: undefined }, 'machine_no', 'is required'],
    ['products', { name: undefined }, 'name', 'is required'],
    ['pickup_codes', { machine_no: undefined }, 'machine_no', 'is required'],
    ['pickup_codes', { status: 'USED' }, 'used_at', 'is required for a USED code'],
    ['pickup_codes', { status: 'CANCELLED' }, 'cancelled_at', 'is required for a CANCELLED code'],
    ['pickup_codes', { status: 'EXPIRED', expired_at: undefined }, 'expired_at', 'is required for an EXPIRED code'],
    ['merchants', { name: 'x'.repeat(1025) }, 'name', 'must be at most 1024 characters'],
    ['merchants', { name: true }, 'name', 'must be a string'],
    ['merchants', { webhook_url: 'ftp://hooks.example/' }, 'webhook_url', 'refused: only http and https'],
    ['merchants', { merchant_id: 0 }, 'merchant_id', 'must be a positive integer'],
    ['merchants', { merchant_id: '12345678901234567' }, 'merchant_id', 'must be a positive integer'],
    ['merchants', { merchant_id: '1x' }, 'merchant_id', 'must be a positive integer'],
    ['merchants', { merchant_id: undefined }, 'merchant_id', 'is required'],
    ['merchants', { app_secret_hash: `sha256:${'a'.repeat(64)}` }, 'app_secret', 'give app_secret or app_secret_hash, not both'],
    ['merchants', { app_secret: undefined, app_secret_hash: 'sha256:xyz' }, 'app_secret_hash', 'must be sha256: followed by 64 lowercase hex digits'],
    ['merchants', { app_secret: undefined }, 'app_secret', 'is required (or app_secret_hash)'],
    ['merchants', { verified: 'yes' }, 'verified', 'must be true or false'],
    ['merchants', { require_nonce: 2 }, 'require_nonce', 'must be true or false'],
    ['machines', { machine_no: '1234567' }, 'machine_no', 'must be 8 to 32 digits'],
    ['machines', { time_zone: 'Mars/Olympus' }, 'time_zone', 'unknown time zone: Mars/Olympus'],
    ['machines', { created_at: '2026-13-01 00:00:00' }, 'created_at', 'must be YYYY-MM-DD HH:mm:ss'],
    ['machines', { mqtt_password: undefined }, 'mqtt_password', 'is required (or mqtt_password_hash)'],
    ['products', { capacity: 0 }, 'capacity', 'must be an integer from 1 to 1000000'],
    ['products', { capacity: 1_000_001 }, 'capacity', 'must be an integer from 1 to 1000000'],
    ['products', { capacity: undefined }, 'capacity', 'is required'],
    ['products', { current_inventory: 11 }, 'current_inventory', 'must be an integer from 0 to the capacity'],
    ['products', { current_inventory: -1 }, 'current_inventory', 'must be an integer from 0 to 1000000'],
    ['products', { current_inventory: '-1' }, 'current_inventory', 'must be an integer from 0 to 1000000'],
    ['products', { current_inventory: '7 items' }, 'current_inventory', 'must be an integer from 0 to 1000000'],
    ['products', { cabinet_name: 'a' }, 'cabinet_name', 'must be one letter from A to Z'],
    ['products', { floor_type: 4 }, 'floor_type', 'must be an integer from 0 to 3'],
    ['products', { price: 'cheap' }, 'price', 'must be a decimal amount such as 1.00'],
    ['products', { price: undefined }, 'price', 'is required'],
    ['products', { original_price: 'cheap' }, 'original_price', 'must be a decimal amount such as 1.00'],
    ['products', { addr: 9 }, 'addr', 'must be an integer from 1 to 8'],
    ['products', { x: 1001 }, 'x', 'must be an integer from 0 to 1000'],
    ['products', { on_sale: 'no' }, 'on_sale', 'must be true or false'],
    ['pickup_codes', { code: '12345' }, 'code', 'must be 6 to 10 digits'],
    ['pickup_codes', { status: 'LOST' }, 'status', 'must be one of UNUSED, USED, CANCELLED, EXPIRED'],
    ['pickup_codes', { created_at: undefined }, 'created_at', 'is required'],
    ['pickup_codes', { expired_at: '31/12/2030' }, 'expired_at', 'must be YYYY-MM-DD HH:mm:ss'],
  ];
  for (const [kind, changes, field, message] of cases) {
    it(`${kind} ${JSON.stringify(changes).slice(0, 60)}: ${field} ${message}`, () => {
      assert.deepEqual(problemsWith(kind, changes), [{ path: `$.${kind}[0].${field}`, message }]);
    });
  }
});

describe('what an import file means where it says nothing', () => {
  it('flags, prices, zones and channel places take their defaults; numbers and flags may be written as 1/0 or digits', () => {
    const file = originalPlatformFile();
    file.machines[0]!.pickup_codes = 1;
    file.machines[0]!.operating = 0;
    file.products[0]!.addr = '3';
    file.products[1]!.on_sale = false;
    file.products[1]!.has_lift = true;
    file.products[1]!.current_inventory = '5';
    const read = readImportFile(file).file!;
    const [merchant, machine] = [read.merchants[0]!, read.machines[0]!];
    assert.deepEqual([merchant.verified, merchant.require_nonce, merchant.webhook_url, merchant.webhook_secret], [1, 0, null, null]);
    assert.deepEqual([machine.pickup_codes_enabled, machine.operating, machine.time_zone, machine.cabinet_names, machine.currency_code], [1, 0, 'Asia/Shanghai', 'A', 'CNY']);
    const [water, tea] = read.products as [typeof read.products[0], typeof read.products[0]];
    assert.deepEqual([water.price_cents, water.original_price_cents, water.channel_addr, water.channel_x, water.floor_type, water.on_sale, water.has_lift], [350, 350, '3', 0, 0, 1, 0]);
    assert.deepEqual([tea.channel_addr, tea.on_sale, tea.has_lift, tea.inventory, tea.cabinet_name, tea.channel_name], ['', 0, 1, 5, 'A', '13']);
  });
  it('a machine without a name is named after its number; a product without a category has none; a code without a status is UNUSED and keeps only the time of its own status', () => {
    const file = originalPlatformFile();
    delete file.machines[0]!.name;
    delete file.products[1]!.cabinet_name;
    file.products[0]!.category = 'Drinks';
    delete file.pickup_codes[0]!.status;
    file.pickup_codes[0]!.used_at = '2026-11-02 09:30:00';
    file.pickup_codes[0]!.cancelled_at = '2026-11-02 09:30:00';
    const read = readImportFile(file).file!;
    assert.equal(read.machines[0]!.name, 'Machine 16327138');
    assert.deepEqual(read.products.map((product) => [product.category, product.cabinet_name]), [['Drinks', 'A'], [null, 'A']]);
    assert.deepEqual(read.pickup_codes.map((code) => [code.status, code.used_at === null, code.cancelled_at === null]), [['UNUSED', true, true], ['USED', false, true], ['CANCELLED', true, false]]);
  });
});

describe('the lists of an import file and how records refer to each other', () => {
  it('a list left out or null is empty; a list that is not an array, or a record that is not an object, is named with why', () => {
    const file: Record<string, unknown> = originalPlatformFile();
    delete file.pickup_codes;
    assert.deepEqual(readImportFile(file).file!.pickup_codes, []);
    file.pickup_codes = null;
    assert.deepEqual(readImportFile(file).file!.pickup_codes, []);
    assert.deepEqual(readImportFile({ ...file, pickup_codes: {} }).problems, [{ path: '$.pickup_codes', message: 'must be an array' }]);
    assert.deepEqual(readImportFile({ ...file, pickup_codes: [7] }).problems!.slice(0, 1), [{ path: '$.pickup_codes[0]', message: 'must be an object' }]);
    assert.deepEqual(readImportFile([]).problems, [{ path: '$', message: 'must be an object with merchants, machines, products and pickup_codes' }]);
  });
  it('a record naming what the file lacks, or a product of another machine, is told what it names', () => {
    const file = originalPlatformFile();
    file.machines.push({ ...file.machines[0]!, id: 10010, machine_no: '16327139', merchant_id: 999 });
    file.products.push({ ...file.products[0]!, id: 20003, machine_no: '99999999' });
    file.pickup_codes[0]!.product_id = 31337;
    file.pickup_codes[1]!.machine_no = '16327139';
    assert.deepEqual(readImportFile(file).problems, [
      { path: '$.machines[1].merchant_id', message: 'names no merchant of this file: 999' },
      { path: '$.products[2].machine_no', message: 'names no machine of this file: 99999999' },
      { path: '$.pickup_codes[0].product_id', message: 'names no product of this file: 31337' },
      { path: '$.pickup_codes[1].product_id', message: 'product 20001 is on machine 16327138, not 16327139' },
    ]);
  });
  it('a merchant id, a machine id or number, or a product id given twice is refused at the second', () => {
    const file = originalPlatformFile();
    file.merchants.push({ ...file.merchants[0]!, appid: 'another_appid' });
    file.machines.push({ ...file.machines[0]!, machine_no: '16327139' });
    file.machines.push({ ...file.machines[0]!, id: 10011 });
    file.products.push({ ...file.products[0]! });
    assert.deepEqual(readImportFile(file).problems, [
      { path: '$.merchants[1].merchant_id', message: '10086 is also at $.merchants[0]' },
      { path: '$.machines[1].id', message: '10009 is also at $.machines[0]' },
      { path: '$.machines[2].machine_no', message: '16327138 is also at $.machines[0]' },
      { path: '$.products[2].id', message: '20001 is also at $.products[0]' },
    ]);
  });
  it('only live codes must be unique on a machine: a used or cancelled code may have the number of a live one', () => {
    const file = originalPlatformFile();
    file.pickup_codes[1]!.code = file.pickup_codes[0]!.code;
    file.pickup_codes[2]!.code = file.pickup_codes[0]!.code;
    assert.equal(readImportFile(file).problems, undefined);
  });
  it('at most 50 problems are listed, and the codes are read no further once there are', () => {
    const file = originalPlatformFile();
    file.pickup_codes = Array.from({ length: 60 }, (_, index) => ({ ...file.pickup_codes[0]!, id: 1000 + index, code: 'x' }));
    const problems = readImportFile(file).problems!;
    assert.equal(problems.length, 50);
    assert.deepEqual(problems.at(-1), { path: '$.pickup_codes[49].code', message: 'must be 6 to 10 digits' });
    const unknown = originalPlatformFile();
    unknown.pickup_codes = Array.from({ length: 60 }, (_, index) => ({ ...unknown.pickup_codes[0]!, id: 1000 + index, code: String(10_000_000 + index), product_id: 1 }));
    assert.equal(readImportFile(unknown).problems!.length, 50);
  });
});
