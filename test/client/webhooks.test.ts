/** verifyWebhook: the SDK's check of the `Vendcloud-Signature` header (docs/callbacks.md). */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from '../helpers/node-test.js';
import { verifyWebhook } from '../../src/client/index.js';

const secret = 'whsec_test';
const body = '{"id":"evt_1","type":"machine.online","created_at":1700000000,"data":{"machine_no":"12345678"}}';
const t = 1_700_000_000;
const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

describe('verifyWebhook', () => {
  it('accepts t=…,v1=HMAC-SHA256(secret, "t.body") computed independently with node:crypto, from a plain object or a Headers', () => {
    const header = `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, body, secret, { now: t }), true);
    assert.equal(verifyWebhook(new Headers({ 'Vendcloud-Signature': header }), new TextEncoder().encode(body), secret, { now: t + 10 }), true);
  });

  it('refuses another secret, a changed body, a missing or malformed header, and a t outside the tolerance', () => {
    const header = `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, body, 'whsec_other', { now: t }), false);
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, `${body} `, secret, { now: t }), false);
    assert.equal(verifyWebhook({}, body, secret, { now: t }), false);
    assert.equal(verifyWebhook({ 'vendcloud-signature': 'v1=abc' }, body, secret, { now: t }), false);
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, body, secret, { now: t + 301 }), false);
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, body, secret, { now: t + 301, toleranceSeconds: 600 }), true);
    assert.equal(verifyWebhook({ 'vendcloud-signature': header }, body, '', { now: t }), false);
  });

  it('accepts when one of several v1 values matches (a receiver accepting two secrets while rotating)', () => {
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${hmac(secret, `${t}.${body}`)}`;
    assert.equal(verifyWebhook({ 'Vendcloud-Signature': header }, body, secret, { now: t }), true);
  });
});
