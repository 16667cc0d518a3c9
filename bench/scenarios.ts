/**
 * The request streams of the load scenarios. Every request is valid: a fresh timestamp,
 * for writes a code id, code or trade id never used before, and no nonce, as the original
 * platform's client libraries send them (so a write takes the path without a stored
 * answer); `create-keyed` adds a nonce, as the SDK does, to measure the path with one. vendcloud's stream draws from the seeded pools; the
 * baseline's stream is built by the same code (same client cost per request) from its own
 * cursor, so the baseline never eats vendcloud's pool.
 */
import { METHOD } from '../src/domain/pickup-codes.js';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { encodeBase64Text, encodeSignedPayload } from '../src/protocol/payload.js';
import { hashSignatureBase, signatureBaseIn } from '../src/protocol/signature.js';
import type { RequestSource, RequestSpec } from './load.js';
import type { Fixture, Target } from './seed.js';

export interface Scenario {
  name: string;
  title: string;
  /**
   * The work whose least code it is measured against: a signed read ((d), or (f) on
   * PostgreSQL) or a signed write ((e), or (g)); bare node:http (a) when unset.
   */
  work?: 'read' | 'write';
  /** Built once per run, so pool cursors carry on from one round to the next. */
  streams(fixture: Fixture): { vendcloud: RequestSource; baseline: RequestSource; exhausted(): string[] };
}

/** Walks a pool once; past its end it wraps (requests then fail, and the run says so). */
class Cursor<T> {
  private index = 0;
  constructor(
    private readonly pool: readonly T[],
    readonly name: string,
  ) {}
  next(): T {
    return this.pool[this.index++ % this.pool.length]!;
  }
  get exhausted(): boolean {
    return this.index > this.pool.length;
  }
}

let nonce = 0;
const runTag = Date.now().toString(36);

function now(): string {
  return String(Math.floor(Date.now() / 1000));
}

export function signedBody(fields: Record<string, string>, key: number, options: { idempotencyKey?: boolean } = {}): string {
  const keyed = options.idempotencyKey ? { nonce: `${runTag}-${++nonce}` } : {};
  return JSON.stringify({ payload: encodeSignedPayload({ ...fields, timestamp: now(), ...keyed }, String(key)) });
}

/**
 * The same fields signed as go-pansy v1.1.1 signs them (query-escaped). A value with a
 * space and colons (as every Go create's expired_at has) makes that sign differ from the
 * raw one, so the server gets it right only on its fallback path.
 */
function pansySignedBody(fields: Record<string, string>, key: number): string {
  const signed = { ...fields, sent_at: '2030-12-31 23:59:59', timestamp: now(), nonce: `${runTag}-${++nonce}` };
  const sign = hashSignatureBase(signatureBaseIn('query-escaped', signed, String(key))!);
  return JSON.stringify({ payload: encodeBase64Text(JSON.stringify({ ...signed, sign })) });
}

export function queryProduct(target: Target, key: number, sign = signedBody): RequestSpec {
  return { method: 'POST', path: `${API_PREFIX}/products/${target.productId}/pickup_code`, body: sign({ machine_no: target.machineNo }, key) };
}

export function queryPage(target: Target, key: number): RequestSpec {
  return { method: 'POST', path: `${API_PREFIX}/pickup_codes/query`, body: signedBody({ machine_no: target.machineNo, page: '1', per_page: '10' }, key) };
}

function createOne(target: Target, key: number, options: { idempotencyKey?: boolean } = {}): RequestSpec {
  const fields = { method: METHOD.CREATE_FOR_PRODUCT, machine_no: target.machineNo, product_id: String(target.productId), count: '1', code_length: '8' };
  return { method: 'POST', path: `${API_PREFIX}/pickup_codes`, body: signedBody(fields, key, options) };
}

export function cancelOne(target: Target, id: number, key: number): RequestSpec {
  const fields = { method: METHOD.CANCEL_ONE, machine_no: target.machineNo, id: String(id) };
  return { method: 'PUT', path: `${API_PREFIX}/pickup_codes`, body: signedBody(fields, key) };
}

export function cancelAll(target: { machineNo: string }, key: number): RequestSpec {
  return { method: 'PUT', path: `${API_PREFIX}/pickup_codes`, body: signedBody({ method: METHOD.CANCEL_ALL, machine_no: target.machineNo }, key) };
}

export function createMany(target: Target, count: number, key: number): RequestSpec {
  const fields = { method: METHOD.CREATE_FOR_PRODUCT, machine_no: target.machineNo, product_id: String(target.productId), count: String(count), code_length: '8' };
  return { method: 'POST', path: `${API_PREFIX}/pickup_codes`, body: signedBody(fields, key) };
}

let tradeSerial = 0;
function consumeOne(target: Target, code: string, key: number): RequestSpec {
  const fields = {
    method: METHOD.CONSUME,
    machine_no: target.machineNo,
    product_id: String(target.productId),
    code,
    trade_id: `bench${runTag}${String(++tradeSerial).padStart(12, '0')}`,
    notify_url: 'https://merchant.example/notify',
  };
  return { method: 'POST', path: `${API_PREFIX}/consumes`, body: signedBody(fields, key) };
}

/** Both targets run the same builder; only where the varying value comes from differs. */
function twin<T>(pool: readonly T[], name: string, build: (value: T) => RequestSpec) {
  const vendcloud = new Cursor(pool, name);
  const baseline = new Cursor(pool, name);
  return {
    vendcloud: () => build(vendcloud.next()),
    baseline: () => build(baseline.next()),
    exhausted: () => (vendcloud.exhausted ? [name] : []),
  };
}

const none = () => [];

export const SCENARIOS: Scenario[] = [
  {
    name: 'ping',
    title: 'ping (headers only)',
    streams: () => {
      // Headers only: nothing varies, so one fixed request (no per-request build cost).
      const ping: RequestSpec = { method: 'POST', path: `${API_PREFIX}/ping` };
      return { vendcloud: ping, baseline: ping, exhausted: none };
    },
  },
  {
    name: 'query',
    title: 'query a product with 5 codes',
    work: 'read',
    streams: (f) => {
      const source = () => queryProduct(f.query, f.merchantId);
      return { vendcloud: source, baseline: source, exhausted: none };
    },
  },
  {
    name: 'query-pansy',
    title: 'query a product, signed as go-pansy v1.1.1 (the fallback form)',
    work: 'read',
    streams: (f) => {
      const source = () => queryProduct(f.query, f.merchantId, pansySignedBody);
      return { vendcloud: source, baseline: source, exhausted: none };
    },
  },
  {
    name: 'query-page',
    title: 'machine-wide query page (1,000 codes)',
    streams: (f) => {
      const source = () => queryPage(f.query, f.merchantId);
      return { vendcloud: source, baseline: source, exhausted: none };
    },
  },
  {
    name: 'create',
    title: 'create 1 code',
    streams: (f) => {
      let turn = 0;
      const source = () => createOne(f.create[turn++ % f.create.length]!, f.merchantId);
      return { vendcloud: source, baseline: source, exhausted: none };
    },
  },
  {
    name: 'create-keyed',
    title: 'create 1 code with a nonce (answer stored)',
    streams: (f) => {
      let turn = 0;
      const source = () => createOne(f.create[turn++ % f.create.length]!, f.merchantId, { idempotencyKey: true });
      return { vendcloud: source, baseline: source, exhausted: none };
    },
  },
  {
    name: 'cancel',
    title: 'cancel one code',
    work: 'write',
    streams: (f) => twin(f.cancel.ids, 'cancel pool', (id) => cancelOne(f.cancel, id, f.merchantId)),
  },
  {
    name: 'consume',
    title: 'consume one code',
    work: 'write',
    streams: (f) => {
      // The i-th consume takes the next code of product i mod K, so the products take turns.
      const { products, firstCode, perProduct } = f.consume;
      const indexes = Array.from({ length: products.length * perProduct }, (_, i) => i);
      return twin(indexes, 'consume pool', (i) => {
        const k = i % products.length;
        return consumeOne(products[k]!, String(firstCode + k * perProduct + Math.floor(i / products.length)), f.merchantId);
      });
    },
  },
  {
    name: 'mix',
    title: 'mix: 70% query, 20% cancel, 10% create',
    streams: (f) => {
      const cancels = twin(f.mix.cancel.ids, 'mix cancel pool', (id) => cancelOne(f.mix.cancel, id, f.merchantId));
      const mixed = (cancel: () => RequestSpec) => {
        let turn = 0;
        return (): RequestSpec => {
          const slot = turn++ % 10;
          if (slot < 7) return queryProduct(f.mix.query, f.merchantId);
          if (slot < 9) return cancel();
          return createOne(f.mix.create, f.merchantId);
        };
      };
      return { vendcloud: mixed(cancels.vendcloud), baseline: mixed(cancels.baseline), exhausted: cancels.exhausted };
    },
  },
];

/**
 * What the baselines block sends: one fixed signed write, built afresh for each run. A
 * fixed request costs the load generator nothing per request, so (a) and (b) show their
 * real ceilings; the naive server, given no row id, updates the next row of its own.
 */
export function baselineWrite(key: number): RequestSpec {
  return { method: 'PUT', path: `${API_PREFIX}/pickup_codes`, body: signedBody({ method: METHOD.CANCEL_ONE, machine_no: '60000001' }, key) };
}
