/** `vendcloud payload sign|decode`: the §2 vector by hand, and payloads the server accepts. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { decodePayload, encodeBase64Text } from '../../src/protocol/payload.js';
import { json, vendcloud } from '../helpers/cli.js';
import { signatureVectors, type SignatureVector } from '../helpers/signing.js';
import { call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const VECTOR_SIGN = '8BD7FD74204B0204CBF365F20287D436';


describe('vendcloud payload', () => {
  it('sign reproduces the PROTOCOL.md §2 vector, and decode --key verifies it', async () => {
    const signed = await vendcloud(['payload', 'sign', '--key', 'abc', '--json', '{"a":"2","b":"3","timestamp":"1718180788"}']);
    assert.equal(signed.code, 0, signed.stderr);
    const payload = signed.stdout.trim();
    assert.deepEqual(decodePayload(payload), { a: '2', b: '3', timestamp: '1718180788', sign: VECTOR_SIGN });
    const decoded = await vendcloud(['payload', 'decode', payload, '--key', 'abc', '--json']);
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.deepEqual(json(decoded), {
      fields: { a: '2', b: '3', timestamp: '1718180788', sign: VECTOR_SIGN },
      sign_valid: true,
      sign_form: 'raw',
      signature_base: 'a=2&b=3&timestamp=1718180788&key=abc',
      expected_sign: VECTOR_SIGN,
      expected_signs: { raw: VECTOR_SIGN, 'query-escaped': VECTOR_SIGN, 'uri-encoded-twice': VECTOR_SIGN },
    });
    const human = await vendcloud(['payload', 'decode', payload, '--key', 'abc']);
    assert.match(human.stdout, /signed string {2}a=2&b=3&timestamp=1718180788&key=abc/);
    assert.match(human.stdout, /sign OK, raw form/);
  });

  it("decode names the form a client's sign matched, and exits 1 naming none for the PHP library's nested form", async () => {
    const vectors = signatureVectors();
    const create = vectors.find((vector) => vector.fields.expired_at !== undefined)!;
    const nested = vectors.find((vector) => typeof vector.fields.os === 'object')!;
    const decode = (vector: SignatureVector, library: string, ...flags: string[]) =>
      vendcloud(['payload', 'decode', encodeBase64Text(JSON.stringify({ ...vector.fields, sign: vector.signs[library] })), '--key', vector.key, ...flags]);

    const kit = await decode(create, 'js @cakioe/kit.js 1.5.2', '--json');
    assert.equal(kit.code, 0, kit.stderr);
    assert.equal(json(kit).sign_form, 'uri-encoded-twice');
    assert.equal(json(kit).expected_sign, create.signs['js @cakioe/kit.js 1.5.2']);
    const pansy = await decode(nested, 'go go-pansy/pansy v1.1.1');
    assert.equal(pansy.code, 0, pansy.stderr);
    assert.match(pansy.stdout, /sign OK, query-escaped form \(go-pansy\/pansy >= v1\.0\.8/);
    assert.match(pansy.stdout, /os {2,}\{"family":"unix","hostname":"debian","version":"12.0.0"\}/);

    const php = await decode(nested, 'php dsjsdz/signatory');
    assert.equal(php.code, 1);
    assert.match(php.stdout, /sign DOES NOT MATCH any accepted form/);
    assert.match(php.stdout, /raw {2,}\(cannot sign all of this payload\)/);
    const phpJson = json(await decode(nested, 'php dsjsdz/signatory', '--json'));
    assert.equal(phpJson.sign_form, null);
    assert.equal(phpJson.sign_valid, false);
  });

  it('an empty field and a number value sign as the protocol says', async () => {
    const signed = await vendcloud(['payload', 'sign', '--key', 'abc', '--json', '{"a":2,"b":"3","c":"","timestamp":"1718180788"}']);
    assert.equal(decodePayload(signed.stdout.trim()).sign, VECTOR_SIGN);
  });

  it('sign adds a current timestamp when the fields have none', async () => {
    const signed = await vendcloud(['payload', 'sign', '--key', '7', '--json', '{"machine_no":"10000001"}']);
    const fields = decodePayload(signed.stdout.trim());
    assert.ok(Math.abs(Number(fields.timestamp) - Date.now() / 1000) < 60);
  });

  it('decode with the wrong key exits 1 and says the sign does not match', async () => {
    const signed = await vendcloud(['payload', 'sign', '--key', 'abc', '--json', '{"a":"2","timestamp":"1718180788"}']);
    const decoded = await vendcloud(['payload', 'decode', signed.stdout.trim(), '--key', 'abd']);
    assert.equal(decoded.code, 1);
    assert.match(decoded.stdout, /sign DOES NOT MATCH/);
  });

  it('decode without --key prints the fields and exits 0; garbage is a usage error (exit 2)', async () => {
    const plain = await vendcloud(['payload', 'decode', 'eyJhIjoiMiJ9', '--json']);
    assert.equal(plain.code, 0);
    assert.deepEqual(json(plain), { fields: { a: '2' } });
    const garbage = await vendcloud(['payload', 'decode', '!!not base64!!']);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /not a valid payload/);
    const badJson = await vendcloud(['payload', 'sign', '--key', 'abc', '--json', '{"a":true}']);
    assert.equal(badJson.code, 2);
  });
});

for (const kind of storeKinds()) {
  describe(`vendcloud payload against the server [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
    });
    after(() => server.close());

    it('a payload from `payload sign` with the merchant id as key is accepted by the server', async () => {
      const machine = merchant.machines[0]!;
      const signed = await vendcloud(['payload', 'sign', '--key', String(merchant.merchant_id), '--json', JSON.stringify({ machine_no: machine.machine_no })]);
      const answer = await call(server.url, `/products/${machine.productIds[0]}/pickup_code`, {
        appid: merchant.appid,
        secret: merchant.app_secret,
        rawBody: JSON.stringify({ payload: signed.stdout.trim() }),
      });
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: [] });
    });
  });
}
