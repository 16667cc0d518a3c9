/**
 * Answers with every field the shapes of src/protocol/responses.ts name (test/protocol/shape-*.test.ts):
 * the accepted samples, which the refusal tests change one field at a time.
 */
import { API_PREFIX } from '../../src/protocol/endpoints.js';
import { shapeViolations } from '../helpers/response-shapes.js';

/** `{code: 0, message: "ok", data}`, as the server sends a success. */
export const ok = (data: unknown) => JSON.stringify({ code: 0, message: 'ok', data });

/** What the shape check finds wrong with this answer of that route (and payload method). */
export function violations(verb: string, path: string, body: string, method?: string, status = 200): string[] {
  return shapeViolations({ verb, url: `${API_PREFIX}${path}`, method, status, body });
}

export const WALL = '2024-04-27 14:00:08';

export const MACHINE_SUMMARY = {
  machine_name: 'Lobby',
  machine_no: '12345678',
  is_online: true,
  status: true,
  address: 'Street 1',
  notify_message: 'connected',
  lng_lat: '116.5,39.9',
  created_at: WALL,
  contact: 'Ann',
  tel: '555',
};

export const MACHINE_DETAIL = {
  machine_name: 'Lobby',
  address: 'Street 1',
  lng_lat: '116.5,39.9',
  is_online: true,
  model: { id: 4, cabinet_names: ['A', 'B'] },
  machine_type: 6,
  cover_image: 'https://example.com/cover.png',
  categories: [{ id: 1, title: 'First shelf' }],
  announcement: { title: 'Welcome' },
  merchant: { title: 'Shop', description: 'A shop', logo: 'https://example.com/logo.png', store_id: '505390', status: 'VERIFIED', created_at: WALL },
  currency: { id: 3, name: 'Euro', code: 'EUR', symbol: '€' },
};

export const PRODUCT = {
  id: 20,
  category: { id: 2, title: 'Second shelf' },
  good: {
    name: 'Cola',
    description: 'Cola',
    thumb: 'https://example.com/cola.png',
    price: '0.10',
    original_price: '0.00',
    content: '<p>Cola</p>',
    good_no: '412883701240',
    slug: '412883701240',
    media: [{ url: 'https://example.com/cola.mp4' }],
  },
  channel: { name: 'A21', cabinet_name: 'A', code: '020', x: '2', y: '0', addr: 8 },
  current_inventory: 1,
  inventory: 2,
  on_sale: true,
};

export const PRODUCT_PAGE = { data: [PRODUCT], total: 6, current_page: 1, last_page: 1, per_page: 10 };

export const PRODUCT_CODE = { id: 2111, code: '9388106', status: 'UNUSED', created_at: WALL, expired_at: WALL, quantity: 1 };
export const CREATED_CODE = { ...PRODUCT_CODE, product_id: 131 };
export const QUERIED_CODE = { ...PRODUCT_CODE, status: 'CANCELLED', product_id: 131, used_at: WALL, order_id: 60, cancelled_at: WALL };
export const CODE_PAGE = { data: [QUERIED_CODE], total: 1, current_page: 1, last_page: 1, per_page: 10, next_after_id: 2111, total_capped: true };

export const CONSUMED_ORDER = {
  order_id: 60,
  trade_id: '800a7e9500d345c8987d3aafa412c77d',
  date: '2024-04-29',
  amount: '1.00',
  status: 'PICKUPCODE',
  notify_send_count: 2,
  records: [{ id: 78, product_id: 131, quantity: 1, price: '1.00', status: '未取货', notify_sent: '1' }],
  pickup_code_id: 1,
};

export const MACHINE_OVERVIEW = {
  machine_no: '12345678',
  machine_name: 'Lobby',
  is_online: true,
  status: true,
  pickup_codes_enabled: true,
  last_seen_at: WALL,
  live_codes: 3,
  network_type: '4G',
  network_rssi: '-70',
  link_profile: 'extended',
};

export const CODE_HISTORY = {
  code: QUERIED_CODE,
  events: [{ at: WALL, action: 'cancel', from_status: 'UNUSED', to_status: 'CANCELLED', actor: 'merchant:1', request_id: 'req-1', detail: 'by hand' }],
  pushes: [{ method: 'client.pickup_codes.delete', queued_at: WALL, sent_at: WALL }],
  order: { ...CONSUMED_ORDER, trade_id: undefined },
};

export const CALLBACK = {
  id: 5,
  event_id: `evt_${'0123456789abcdef'.repeat(2)}`,
  type: 'delivery.result',
  url: 'https://example.com/hook',
  state: 'failed',
  order_id: 60,
  record_id: 78,
  delivery_id: 9,
  queued_at: WALL,
  next_attempt_at: WALL,
  finished_at: WALL,
  attempts: [{ attempt: 1, at: WALL, outcome: 'retry', http_status: 500, latency_ms: 40, error: 'server error' }],
};

export const ORDER_DETAIL = {
  order_id: 54,
  trade_id: '3f2a58ad69b74e86b8a1a3da6fd75cc1',
  date: '2024-04-26',
  amount: '3.00',
  status: 'TESTPAY',
  notify_send_count: 1,
  records: [{ id: 70, product_id: 121, quantity: 1, price: '1.00', status: 'IS_TIMEOUT', notify_sent: '0' }],
  pickup_code_id: 3,
};

export const DELIVERY_STARTED = { delivery_id: '5121763043809673', delivered_at: WALL, status: '未取货或正在出货' };
export const DELIVERY_STATE = { delivered_at: WALL, status: '出货失败', pickup_at: WALL, fail_reason: 'jammed' };
export const STOCK_CHANGED = { products: [{ id: 20, inventory: 3, on_sale: true }] };

/** Each route's (verb, path, payload method) and a sample with every field it may send. */
export const FULL_ANSWERS: Array<[string, string, string | undefined, unknown]> = [
  ['POST', '/ping', undefined, 'pong'],
  ['POST', '/rent/machines', undefined, [MACHINE_SUMMARY]],
  ['POST', '/rent/machines/12345678', undefined, MACHINE_DETAIL],
  ['POST', '/products', undefined, PRODUCT_PAGE],
  ['POST', '/pickup_codes', 'pickup_code.product.id', { codes: [CREATED_CODE] }],
  ['POST', '/pickup_codes', 'pickup_code.product.all', { codes: [{ ...CREATED_CODE, status: 'EXPIRED' }] }],
  ['POST', '/products/131/pickup_code', undefined, [{ ...PRODUCT_CODE, status: 'USED' }]],
  ['POST', '/pickup_codes/query', undefined, CODE_PAGE],
  ['PUT', '/pickup_codes', 'pickup_code.delete.id', {}],
  ['PUT', '/pickup_codes', 'pickup_code.delete.all', { count: 3 }],
  ['PUT', '/pickup_codes', 'pickup_code.delete.ids', { count: 2 }],
  ['PUT', '/pickup_codes', 'pickup_code.delete.product', { count: 1 }],
  ['POST', '/consumes', 'event.consume.pickup_code', CONSUMED_ORDER],
  ['POST', '/machines/overview', undefined, [MACHINE_OVERVIEW]],
  ['POST', '/pickup_codes/live_counts', undefined, [{ product_id: 131, live_codes: 4 }]],
  ['POST', '/pickup_codes/history', undefined, CODE_HISTORY],
  ['POST', '/callbacks/query', undefined, [CALLBACK]],
  ['PUT', '/callbacks', 'callback.resend', {}],
  ['POST', '/orders/query', undefined, { current_page: 1, last_page: 1, per_page: 10 }],
  ['POST', '/deliveries/query', undefined, []],
  ['POST', '/machines/pushes', undefined, {}],
  ['POST', '/callbacks/latest', undefined, [CALLBACK]],
  ['POST', '/webhook', undefined, { webhook_url: 'https://example.com/hook', secret_set: true }],
  ['PUT', '/webhook', 'webhook.set', {}],
  ['PUT', '/webhook', 'webhook.clear', {}],
  ['PUT', '/webhook', 'webhook.rotate_secret', { webhook_secret: `whsec_${'a'.repeat(43)}` }],
  ['POST', '/orders/54', undefined, ORDER_DETAIL],
  ['POST', '/deliveries', 'device.delivery.put', DELIVERY_STARTED],
  ['POST', '/deliveries/debug', 'device.delivery.put', { ...DELIVERY_STARTED, status: '出货超时' }],
  ['POST', '/deliveries/5121763043809673', undefined, DELIVERY_STATE],
  ['PUT', '/products', 'product.restock', STOCK_CHANGED],
  ['PUT', '/products', 'product.stock', STOCK_CHANGED],
];
