/**
 * A real vendcloud server on loopback over a real database, with a seeded merchant. Every
 * answer it sends is checked against its documented shape; close() fails the test if any broke it.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { CallbacksConfig, HousekeepingConfig, ServerConfig } from '../../src/config.js';
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { encodeSignedPayload } from '../../src/protocol/payload.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { createMachine, createMerchant, createProduct, type MerchantCredentials, type NewMachine, type NewMerchant } from '../../src/service/admin.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Store, StoreOptions } from '../../src/store/store.js';
import { payloadMethod, ShapeCheck, shapeViolations } from './response-shapes.js';
import type { StoreKind } from './stores.js';

export interface TestServer extends RunningServer {
  kind: StoreKind;
  /** Where its database is (for a CLI command or a second instance on it). */
  location: { db: string; options: StoreOptions };
  /** Stops this server and starts a new one on the same database, as a restart would. */
  restart(): Promise<TestServer>;
}

export interface TestServerOptions {
  /** Runs on the app before the shape check is added (a test of the check corrupts answers here). */
  extendApp?: (app: FastifyInstance) => void;
  /** The callback sender's settings (docs/callbacks.md). */
  callbacks?: Partial<CallbacksConfig>;
  /** The periodic chores' settings (src/housekeeping.ts). */
  housekeeping?: Partial<HousekeepingConfig>;
}

export async function startTestServer(kind: StoreKind, config: Partial<ServerConfig> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const location = await kind.fresh();
  const shapes = new ShapeCheck();
  const launch = async (): Promise<TestServer> => {
    const server = await startServer({
      db: location.db,
      port: 0,
      config: { merchantCacheSeconds: 0, ...config },
      store: location.options,
      logger: false,
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.housekeeping ? { housekeeping: options.housekeeping } : {}),
      extendApp: (app) => {
        options.extendApp?.(app);
        shapes.watch(app);
      },
    });
    return {
      ...server,
      kind,
      location,
      async restart() {
        await server.close();
        return launch();
      },
      async close() {
        await server.close();
        await location.cleanup();
        shapes.assertNone();
      },
    };
  };
  return launch();
}

let machineCounter = 0;

export interface MerchantFixture extends NewMerchant {
  machines: Array<NewMachine & { productIds: number[] }>;
}

/** A merchant with machines (pickup codes on) and products on each. */
export async function seedMerchant(
  store: Store,
  shape: { machines?: number; products?: number; capacity?: number; inventory?: number; price?: string } = {},
): Promise<MerchantFixture> {
  const merchant = await createMerchant(store, { name: 'Test merchant' });
  const machines: MerchantFixture['machines'] = [];
  for (let m = 0; m < (shape.machines ?? 1); m++) {
    const machineNo = String(20_000_000 + process.pid * 100 + ++machineCounter);
    const machine = await createMachine(store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
    const productIds: number[] = [];
    for (let p = 0; p < (shape.products ?? 2); p++) {
      const product = await createProduct(store, {
        machineNo,
        name: `Product ${p + 1}`,
        price: shape.price ?? '3.50',
        capacity: shape.capacity ?? 10,
        inventory: shape.inventory ?? shape.capacity ?? 10,
        channel: `A${p + 1}`,
        category: 'Drinks',
      });
      productIds.push(product.id);
    }
    machines.push({ ...machine, productIds });
  }
  return { ...merchant, machines };
}

export interface ApiAnswer {
  status: number;
  body: { code: number; message: string; data: any };
  headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  method?: 'POST' | 'PUT' | 'GET' | 'DELETE' | 'PATCH';
  appid?: string | undefined;
  secret?: string | undefined;
  /** Fields to sign with `key` (timestamp added unless given). */
  fields?: Record<string, string>;
  key?: string;
  /** A body sent as is, instead of a signed payload. */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: string;
}

/**
 * One HTTP request as a merchant's client sends it: no Content-Type unless asked for. The
 * answer must have its documented shape (this also covers servers run as separate processes).
 */
export async function call(baseUrl: string, path: string, options: CallOptions): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.appid !== undefined) headers.Appid = options.appid;
  if (options.secret !== undefined) headers.AppSecret = options.secret;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.fields) {
    const fields = { timestamp: String(nowSeconds()), ...options.fields };
    body = JSON.stringify({ payload: encodeSignedPayload(fields, options.key ?? '') });
  }
  const verb = options.method ?? 'POST';
  const response = await request(`${baseUrl}${API_PREFIX}${path}${options.query ?? ''}`, {
    method: verb,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.body.text();
  const method = options.fields?.method ?? payloadMethod(body, headers['Content-Type'] ?? headers['content-type'], Object.fromEntries(new URLSearchParams(options.query ?? '')));
  const violations = shapeViolations({ verb, url: `${API_PREFIX}${path}`, method, status: response.statusCode, body: text });
  if (violations.length > 0) throw new Error(`the answer broke its documented shape (src/protocol/responses.ts):\n${violations.join('\n')}`);
  let parsed: ApiAnswer['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${response.statusCode}): ${text.slice(0, 200)}`);
  }
  return { status: response.statusCode, body: parsed, headers: response.headers };
}

/** A merchant's signed call: its credentials, its merchant id as the key. */
export function asMerchant(baseUrl: string, merchant: MerchantCredentials) {
  return (path: string, fields: Record<string, string> | undefined, method: 'POST' | 'PUT' = 'POST') =>
    call(baseUrl, path, {
      method,
      appid: merchant.appid,
      secret: merchant.app_secret,
      key: String(merchant.merchant_id),
      ...(fields ? { fields } : {}),
    });
}

/** Row counts of every table a request may write: equal before and after means nothing was written. */
export async function writtenRows(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['pickup_codes', 'code_history', 'outbox', 'orders', 'order_records', 'answered_requests'] as const) {
    const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const inventory = await store.db.selectFrom('products').select((eb) => eb.fn.sum<number>('inventory').as('n')).executeTakeFirstOrThrow();
  counts.inventory = Number(inventory.n);
  const cancelled = await store.db.selectFrom('pickup_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '!=', 'UNUSED').executeTakeFirstOrThrow();
  counts.changed_codes = Number(cancelled.n);
  return counts;
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
