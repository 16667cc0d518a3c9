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
