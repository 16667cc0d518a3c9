/**
 * Where the Open API lives and the `method` names its payloads carry (PROTOCOL.md §6).
 * Shared by the server's routes and the SDK, so neither can drift from the other.
 */

export const API_PREFIX = '/api/openapi/v1';

/** Not part of the Open API: where `vendcloud serve` serves the merchant console, on the same port. */
export const CONSOLE_PREFIX = '/console';

export const METHOD = {
  CREATE_FOR_PRODUCT: 'pickup_code.product.id',
  CREATE_FOR_ALL_PRODUCTS: 'pickup_code.product.all',
  CANCEL_ONE: 'pickup_code.delete.id',
  CANCEL_ALL: 'pickup_code.delete.all',
  /** Extension: the codes of a list of ids (`ids=1,2,3`), all or none. */
  CANCEL_IDS: 'pickup_code.delete.ids',
  /** Extension: every live code of one product (`product_id`). */
  CANCEL_PRODUCT: 'pickup_code.delete.product',
  CONSUME: 'event.consume.pickup_code',
  /** Extension: send a callback again now (`id`), docs/callbacks.md. */
  CALLBACK_RESEND: 'callback.resend',
  /** delivery_put.md and delivery_test.md: a vend command. */
  DELIVERY_PUT: 'device.delivery.put',
  /** Extension: a machine's products (or one, `product_id`) on sale, refilled to capacity. */
  PRODUCT_RESTOCK: 'product.restock',
  /** Extension: one product's stock (`product_id`, `inventory` from 0 to its capacity). */
  PRODUCT_STOCK: 'product.stock',
  /** Extension: the merchant's webhook URL (`webhook_url`), docs/console.md. */
  WEBHOOK_SET: 'webhook.set',
  /** Extension: no webhook; the merchant's events are not queued. */
  WEBHOOK_CLEAR: 'webhook.clear',
  /** Extension: a new webhook secret, answered once. */
  WEBHOOK_ROTATE_SECRET: 'webhook.rotate_secret',
} as const;
