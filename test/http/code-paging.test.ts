/**
 * The machine-wide code query's paging (issue 13, item 4): `after_id` (keyset) walks every
 * code once in id order whatever the machine's size, `page` keeps working, and `total`
 * stops counting at CODE_TOTAL_CAP and says so with `total_capped`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { CODE_TOTAL_CAP } from '../../src/service/catalogue.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const MORE_THAN_CAP = CODE_TOTAL_CAP + 5;

for (const kind of storeKinds()) {
  describe(`paging the machine-wide code query [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let serial = 0;
    const signed = (fields: Record<string, string>, path = '/pickup_codes/query') => api(path, { nonce: String(++serial), ...fields });

    before(async () => {
      server = await startTestServer(kind, { clock: nowSeconds });
      merchant = await seedMerchant(server.store, { machines: 2, products: 2, capacity: MORE_THAN_CAP });
      api = asMerchant(server.url, merchant);
    });
    after(() => server.close());

    const create = async (machineNo: string, productId: number, count: number): Promise<number[]> => {
      const made = await signed({ machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), count: String(count) }, '/pickup_codes');
      assert.equal(made.body.code, 0, JSON.stringify(made.body));
      return made.body.data.codes.map((code: { id: number }) => code.id);
    };

    it('after_id walks every code once, in id order, and the last page carries no cursor', async () => {
      const machine = merchant.machines[0]!;
      const ids = [...(await create(machine.machine_no, machine.productIds[0]!, 7)), ...(await create(machine.machine_no, machine.productIds[1]!, 5))].sort((a, b) => a - b);
      const seen: number[] = [];
      let cursor: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const answer = await signed({ machine_no: machine.machine_no, per_page: '5', ...(cursor ? { after_id: String(cursor) } : {}) });
        assert.equal(answer.body.code, 0);
        assert.equal(answer.body.data.total, ids.length, 'the total is the whole query, not what is left after the cursor');
        seen.push(...(answer.body.data.data ?? []).map((code: { id: number }) => code.id));
        cursor = answer.body.data.next_after_id;
        if (cursor === undefined) break;
        assert.equal(cursor, seen.at(-1), 'the cursor is the last id of the page');
      }
      assert.deepEqual(seen, ids);
      const byPage = await signed({ machine_no: machine.machine_no, per_page: '5', page: '2' });
      assert.deepEqual(
        byPage.body.data.data.map((code: { id: number }) => code.id),
        ids.slice(5, 10),
        'page and per_page still work',
      );
    });

    it('refuses after_id with a page other than the first, and an after_id that is not an id', async () => {
      const machineNo = merchant.machines[0]!.machine_no;
      assert.equal((await signed({ machine_no: machineNo, after_id: '3', page: '2' })).body.code, 10001);
      assert.equal((await signed({ machine_no: machineNo, after_id: 'x' })).body.code, 10001);
      assert.equal((await signed({ machine_no: machineNo, after_id: '-1' })).body.code, 10001);
    });

    it(`counts at most ${CODE_TOTAL_CAP} codes and marks a capped total; a machine within the cap gets an exact total and no mark`, async () => {
      const machine = merchant.machines[1]!;
      await create(machine.machine_no, machine.productIds[0]!, CODE_TOTAL_CAP);
      const exact = await signed({ machine_no: machine.machine_no });
      assert.equal(exact.body.data.total, CODE_TOTAL_CAP);
      assert.equal(exact.body.data.total_capped, undefined);
      await create(machine.machine_no, machine.productIds[1]!, MORE_THAN_CAP - CODE_TOTAL_CAP);
      const capped = await signed({ machine_no: machine.machine_no, per_page: '100' });
      assert.equal(capped.body.data.total, CODE_TOTAL_CAP);
      assert.equal(capped.body.data.total_capped, true);
      assert.equal(capped.body.data.last_page, CODE_TOTAL_CAP / 100);
      // The codes past the cap are still reachable, by cursor as by page.
      const lastByPage = await signed({ machine_no: machine.machine_no, per_page: '100', page: String(CODE_TOTAL_CAP / 100 + 1) });
      assert.equal(lastByPage.body.data.data.length, MORE_THAN_CAP - CODE_TOTAL_CAP);
    });
  });
}
