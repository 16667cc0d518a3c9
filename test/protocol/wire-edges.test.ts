/**
 * Wire names and formats with literal expectations: the machine link's messages, the error
 * echo of a field name, the webhook header's parsing edges, wall-time edges and the envelope's
 * zero values (each one a mutant the other suites let survive).
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import {
  codeCreatedMessage,
  CODE_LIST_METHODS,
  encodeMachineMessage,
  EXTENDED_LINK_FIELD,
  EXTENDED_LINK_VALUE,
  machineNoOfTopic,
  machineTopic,
  syncMessage,
  REPORT_ID,
  reportAcknowledgement,
  SERVER_TOPIC,
  syncFields,
  vendMessage,
  vendResultAcknowledgement,
} from '../../src/protocol/machine-messages.js';
import { ApiError, invalidField, isBusinessFailure } from '../../src/protocol/errors.js';
import { CODE_STATUS_FILTERS } from '../../src/protocol/code-status.js';
import { API_PREFIX, CONSOLE_PREFIX } from '../../src/protocol/endpoints.js';
import { constantTimeEqual, parseWebhookSignature, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '../../src/protocol/webhook-signature.js';
import { assertTimeZone, nowSeconds, parseWallTime } from '../../src/protocol/time.js';
import { omitEmpty } from '../../src/protocol/envelope.js';
import { decodePayload } from '../../src/protocol/payload.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the machine link on the wire', () => {
  it('machines publish on /server/app and hear on /clients/<machine_no>', () => {
    assert.equal(SERVER_TOPIC, '/server/app');
    assert.equal(machineTopic('12345678'), '/clients/12345678');
  });
  it('a machine topic names its machine; any other topic names none', () => {
    assert.equal(machineNoOfTopic('/clients/12345678'), '12345678');
    for (const topic of ['/clients/', '/clients/1/2', '/server/app', 'clients/12345678', '/client/12345678']) assert.equal(machineNoOfTopic(topic), undefined, topic);
  });
  it('a sync message carries no fields; an extended link says link=extended', () => {
    assert.deepEqual(syncMessage(), { method: 'client.pickup_codes.sync', fields: {} });
    assert.equal(EXTENDED_LINK_FIELD, 'link');
    assert.equal(EXTENDED_LINK_VALUE, 'extended');
  });
  it('the keypad list changes by create, delete and sync', () => {
    assert.deepEqual(CODE_LIST_METHODS, ['client.pickup_codes.create', 'client.pickup_codes.delete', 'client.pickup_codes.sync']);
  });
  it('a code carries its expiry in milliseconds and as a wall time in the zone, or 0 and empty when it never expires', () => {
    assert.deepEqual(codeCreatedMessage({ id: 3, product_id: 7, code: '123456', quantity: 2, expired_at: 1_893_456_000 }, 'Asia/Shanghai'), {
      method: 'client.pickup_codes.create',
      fields: { id: '3', product_id: '7', code: '123456', quantity: '2', expired_at: '1893456000000', expired_day: '2030-01-01 08:00:00', used: '0' },
    });
    assert.deepEqual(codeCreatedMessage({ id: 4, product_id: 7, code: '654321', quantity: 1, expired_at: null }, 'Asia/Shanghai').fields, {
      id: '4',
      product_id: '7',
      code: '654321',
      quantity: '1',
      expired_at: '0',
      expired_day: '',
      used: '0',
    });
  });
  it('a sync carries every live code as JSON and the revision', () => {
    assert.deepEqual(syncFields([{ id: 4, product_id: 7, code: '654321', quantity: 1, expired_at: null }], 'Asia/Shanghai', 9), {
      codes: '[{"id":"4","product_id":"7","code":"654321","quantity":"1","expired_at":"0","expired_day":""}]',
      revision: '9',
    });
  });
  it('a vend names its channel, the order or test, and the machine’s options; floor type 0 is sent as 1', () => {
    const command = { deliveryId: 5, orderId: 60, recordId: 78, floorType: 2, hasLift: true, dropDetection: false, channel: 12, addr: 1, quantity: 1, deadline: 1_900_000_000 };
    assert.deepEqual(vendMessage(command), {
      method: 'client.channel.delivery',
      fields: { floor_type: '2', is_lp: '1', is_dc: '0', code: '12', addr: '1', order_type: 'normal', delivery_id: '5', order_id: '60', record_id: '78', quantity: '1', deadline: '1900000000' },
    });
    assert.deepEqual(vendMessage({ ...command, orderId: null, recordId: null, floorType: 0, hasLift: false, dropDetection: true }).fields, {
      floor_type: '1',
      is_lp: '0',
      is_dc: '1',
      code: '12',
      addr: '1',
      order_type: 'test',
      delivery_id: '5',
      order_id: '',
      record_id: '',
      quantity: '1',
      deadline: '1900000000',
    });
  });
  it('acknowledgements echo the ids and say the outcome', () => {
    assert.deepEqual(reportAcknowledgement('3', 'r-1', 'redeemed'), { method: 'client.pickup_codes.put.ack', fields: { id: '3', report_id: 'r-1', outcome: 'redeemed' } });
    assert.deepEqual(vendResultAcknowledgement('5', 'r-2', 'settled'), { method: 'client.channel.delivery.result.ack', fields: { delivery_id: '5', report_id: 'r-2', outcome: 'settled' } });
  });
  it('a report id is 1 to 64 letters, digits and _ . : -', () => {
    assert.equal(REPORT_ID.test('a'), true);
    assert.equal(REPORT_ID.test('aZ09_.:-'), true);
    assert.equal(REPORT_ID.test('a'.repeat(64)), true);
    for (const id of ['', 'a'.repeat(65), 'a b', ' a', 'a ', 'a/b']) assert.equal(REPORT_ID.test(id), false, id);
  });
  it('a message on the wire carries the envelope over the body’s fields of the same name, status 0, signed', () => {
    const wire = encodeMachineMessage({ machineId: 9, machineNo: '12345678', method: 'client.heartbeat', timestamp: 1_900_000_000 }, { method: 'spoofed', extra: 'x' }, 'dsappid');
    const fields = decodePayload(wire) as Record<string, string>;
    assert.equal(fields.method, 'client.heartbeat');
    assert.equal(fields.machine_id, '9');
    assert.equal(fields.client_id, '12345678');
    assert.equal(fields.timestamp, '1900000000');
    assert.equal(fields.status, '0');
    assert.equal(fields.extra, 'x');
    assert.match(fields.sign!, /^[0-9a-fA-F]{32}$/);
  });
});

describe('names on the wire', () => {
  it('the Open API lives under /api/openapi/v1, the console under /console', () => {
    assert.equal(API_PREFIX, '/api/openapi/v1');
    assert.equal(CONSOLE_PREFIX, '/console');
  });
  it('a code listing filters by UNUSED, USED, EXPIRED, CANCELLED or ALL', () => {
    assert.deepEqual(CODE_STATUS_FILTERS, ['UNUSED', 'USED', 'EXPIRED', 'CANCELLED', 'ALL']);
  });
  it('webhooks carry Vendcloud-Signature and Vendcloud-Event-Id', () => {
    assert.equal(WEBHOOK_SIGNATURE_HEADER, 'Vendcloud-Signature');
    assert.equal(WEBHOOK_EVENT_ID_HEADER, 'Vendcloud-Event-Id');
  });
});

describe('errors', () => {
  it('an API error is named ApiError', () => {
    assert.equal(new ApiError(10001 as never).name, 'ApiError');
  });
  it('a field name is echoed with anything beyond printable ASCII escaped, and cut after 64 characters', () => {
    assert.equal(invalidField('a\u0001b\u202e').detail, 'a\\u0001b\\u202e');
    assert.equal(invalidField('x'.repeat(64)).detail, 'x'.repeat(64));
    assert.equal(invalidField('x'.repeat(65)).detail, `${'x'.repeat(64)}…`);
  });
  it('a business failure is a non-zero code answered with HTTP 200', () => {
    assert.equal(isBusinessFailure(0 as never), false);
    assert.equal(isBusinessFailure(10001 as never), false);
    assert.equal(isBusinessFailure(10023 as never), true);
  });
});

describe('webhook signature edges', () => {
  it('only t sets the timestamp and only v1 gives digests; other names are ignored', () => {
    const v1 = 'a'.repeat(64);
    assert.deepEqual(parseWebhookSignature(`t=100,v1=${v1},x=5`), { timestamp: 100, digests: [v1] });
    assert.equal(parseWebhookSignature(`t=100,x=${'c'.repeat(64)}`), undefined);
  });
  it('a longer candidate never equals its prefix', () => {
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
  });
});

describe('wall time edges', () => {
  it('years before 100, minute 60 and second 60 are refused, even where the calendar would roll over', () => {
    assert.equal(parseWallTime('0050-01-01 00:00:00', 'UTC'), undefined);
    assert.equal(parseWallTime('2030-01-01 10:60:00', 'UTC'), undefined);
    assert.equal(parseWallTime('2030-01-01 10:00:60', 'UTC'), undefined);
  });
  it('an unknown time zone is a RangeError', () => {
    assert.throws(() => assertTimeZone('Nowhere/City'), RangeError);
    assertTimeZone('Europe/Berlin');
  });
  it('now is whole Unix seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const now = nowSeconds();
    assert.ok(Number.isInteger(now) && now >= before && now <= before + 1);
  });
});

describe('envelope and payload edges', () => {
  it('a non-empty object is kept', () => {
    assert.deepEqual(omitEmpty({ a: { b: 1 } }), { a: { b: 1 } });
  });
  it('objects nested nine deep are refused like arrays', () => {
    const deep = (n: number): string => (n === 0 ? '"x"' : `{"a":${deep(n - 1)}}`);
    assert.deepEqual(decodePayload(b64(`{"a":${deep(8)}}`)).a !== undefined, true);
    assert.throws(() => decodePayload(b64(`{"a":${deep(9)}}`)), (error: { code?: number; detail?: string }) => error.code === 10001 && error.detail === 'a[a][a][a][a][a][a][a][a] is nested too deeply');
  });
});
