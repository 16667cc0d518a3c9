/**
 * The typed client of the vendcloud Open API (PROTOCOL.md §6), for merchants' back ends.
 * It signs with the protocol module (the server's own implementation, pure JS MD5 from
 * @noble/hashes) and talks through `fetch`, so it runs on Node 20+, Deno, Bun, browsers
 * and edge workers alike; nothing here needs `node:` modules or Web Crypto's digest.
 */
import { METHOD } from '../protocol/endpoints.js';
import { list, type MachineDetail, type MachineSummary, type Page, type PickupCode, type PickupOrder, type Product } from './results.js';
import type { CodeOptions, ConsumeRequest, CreateCodesRequest, PickupCodeQuery, ProductQuery, WallTimeInput } from './requests.js';
import { readOrderCallback, type OrderCallback } from './callback-results.js';
import { readDelivery, readDeliveryState, readOrder, type Delivery, type DeliveryState, type Order } from './delivery-results.js';
import { readLiveCodeCount, readMachineOverview, readPickupCodeHistory, readProductStock, type LiveCodeCount, type MachineOverview, type PickupCodeHistory, type ProductStock } from './extension-results.js';
import { ClientCore, type FieldValue } from './client-core.js';
import { readOrderDelivery, readOrderOfDay, readUnsentPushes, readWebhook, type OrderDelivery, type OrderOfDay, type UnsentPushes, type Webhook } from './lifecycle-results.js';

export type { VendcloudClientOptions } from './client-core.js';

export class VendcloudClient extends ClientCore {
  /** Checks the credentials: resolves "pong". */
  async ping(): Promise<string> {
    return String(await this.unsigned('/ping'));
  }

  /** The merchant's machines. None at all is error 30001. */
  async listMachines(): Promise<MachineSummary[]> {
    return list(await this.unsigned('/rent/machines')).map(this.read.machineSummary);
  }

  async getMachine(machineNo: string): Promise<MachineDetail> {
    return this.read.machineDetail((await this.unsigned(`/rent/machines/${encodeURIComponent(machineNo)}`)) as object);
  }

  async listProducts(machineNo: string, query: ProductQuery = {}): Promise<Page<Product>> {
    const data = await this.signed('POST', '/products', {
      machine_no: machineNo,
      page: query.page,
      per_page: query.perPage,
      category_id: query.categoryId,
      cabinet_name: query.cabinetName,
      select_all: query.selectAll === undefined ? undefined : query.selectAll ? '1' : '0',
    });
    return this.read.page(data, this.read.product, query.perPage ?? 10);
  }

  /** Creates `count` codes for one product and returns them. */
  async createPickupCodes(machineNo: string, request: CreateCodesRequest): Promise<PickupCode[]> {
    const data = await this.signed('POST', '/pickup_codes', {
      machine_no: machineNo,
      method: METHOD.CREATE_FOR_PRODUCT,
      product_id: request.productId,
      count: request.count,
      ...this.codeOptions(request),
    });
    return this.createdCodes(data);
  }

  /**
   * Tops every on-sale product with stock up to one live code per item in stock; may
   * create none.
   */
  async createPickupCodesForAllProducts(machineNo: string, options: CodeOptions = {}): Promise<PickupCode[]> {
    const data = await this.signed('POST', '/pickup_codes', {
      machine_no: machineNo,
      method: METHOD.CREATE_FOR_ALL_PRODUCTS,
      ...this.codeOptions(options),
    });
    return this.createdCodes(data);
  }

  /** The product's live codes (UNUSED, unexpired), ascending id: the original's query. */
  async listPickupCodes(machineNo: string, productId: number): Promise<PickupCode[]> {
    const data = await this.signed('POST', `/products/${encodeURIComponent(String(productId))}/pickup_code`, { machine_no: machineNo });
    return list(data).map((code) => this.read.pickupCode(code, productId));
  }

  /** Extension: every code of the machine, filtered by product and status, paged. */
  async queryPickupCodes(machineNo: string, query: PickupCodeQuery = {}): Promise<Page<PickupCode>> {
    const data = await this.signed('POST', '/pickup_codes/query', {
      machine_no: machineNo,
      product_id: query.productId,
      status: query.status,
      code: query.code,
      page: query.page,
      per_page: query.perPage,
      after_id: query.afterId,
    });
    return this.read.page(data, (code) => this.read.pickupCode(code), query.perPage ?? 10);
  }

  /**
   * Extension: every machine of the merchant (or just `machineNo`) with its link state,
   * switches and number of live codes. No machine at all is an empty list.
   */
  async machinesOverview(machineNo?: string): Promise<MachineOverview[]> {
    const data = await this.signed('POST', '/machines/overview', { machine_no: machineNo });
    return list(data).map((machine) => readMachineOverview(this.read, machine));
  }

  /** Extension: every product of the machine with its number of live codes. */
  async liveCodeCounts(machineNo: string): Promise<LiveCodeCount[]> {
    return list(await this.signed('POST', '/pickup_codes/live_counts', { machine_no: machineNo })).map(readLiveCodeCount);
  }

  /** Extension: a code's life: its changes (who, when), the pushes to its machine, its order. 80002 if not the machine's. */
  async pickupCodeHistory(machineNo: string, id: number): Promise<PickupCodeHistory> {
    return readPickupCodeHistory(this.read, (await this.signed('POST', '/pickup_codes/history', { machine_no: machineNo, id })) as object);
  }

  /** Extension: the order's callbacks (its notify_url, the merchant's events) with every attempt. 80002 if not the merchant's order. */
  async orderCallbacks(orderId: number): Promise<OrderCallback[]> {
    return list(await this.signed('POST', '/callbacks/query', { order_id: orderId })).map((callback) => readOrderCallback(this.read, callback));
  }

  /** Extension: sends a callback again now, on a fresh schedule. 80002 if not the merchant's. */
  async resendCallback(id: number): Promise<void> {
    await this.signed('PUT', '/callbacks', { method: METHOD.CALLBACK_RESEND, id });
  }

  /** Extension: every product of the machine (or just `productId`) on sale, refilled to its capacity. 60001 if not the machine's. */
  async restockProducts(machineNo: string, productId?: number): Promise<ProductStock[]> {
    return readProductStock(await this.signed('PUT', '/products', { machine_no: machineNo, method: METHOD.PRODUCT_RESTOCK, product_id: productId }));
  }

  /** Extension: sets one product's stock, 0 to its capacity (10001 otherwise). */
  async setProductStock(machineNo: string, productId: number, inventory: number): Promise<ProductStock[]> {
    return readProductStock(await this.signed('PUT', '/products', { machine_no: machineNo, method: METHOD.PRODUCT_STOCK, product_id: productId, inventory }));
  }

  /** Cancels one code: 80002 if unknown or cancelled already, 10025 (with `data.order_id`) if used. */
  async cancelPickupCode(machineNo: string, id: number): Promise<void> {
    await this.signed('PUT', '/pickup_codes', { machine_no: machineNo, method: METHOD.CANCEL_ONE, id });
  }

  /** Cancels every UNUSED code of the machine (expired ones included); returns how many. */
  async cancelAllPickupCodes(machineNo: string): Promise<number> {
    const data = (await this.signed('PUT', '/pickup_codes', { machine_no: machineNo, method: METHOD.CANCEL_ALL })) as { count?: number };
    return data?.count ?? 0;
  }

  /**
   * Extension: cancels the codes with these ids, all or none: if any is not a live code of
   * the machine, nothing is cancelled and the error names it. Returns how many (all of them).
   */
  async cancelPickupCodes(machineNo: string, ids: readonly number[]): Promise<number> {
    const data = (await this.signed('PUT', '/pickup_codes', { machine_no: machineNo, method: METHOD.CANCEL_IDS, ids: ids.join(',') })) as { count?: number };
    return data?.count ?? 0;
  }

  /** Extension: cancels every live code of one product of the machine; returns how many. */
  async cancelProductPickupCodes(machineNo: string, productId: number): Promise<number> {
    const data = (await this.signed('PUT', '/pickup_codes', { machine_no: machineNo, method: METHOD.CANCEL_PRODUCT, product_id: productId })) as { count?: number };
    return data?.count ?? 0;
  }

  /** Spends a code through the API: the code becomes USED and an order PICKUPCODE is made. */
  async consumePickupCode(machineNo: string, request: ConsumeRequest): Promise<PickupOrder> {
    const data = await this.signed('POST', '/consumes', {
      machine_no: machineNo,
      method: METHOD.CONSUME,
      code: request.code,
      product_id: request.productId,
      trade_id: request.tradeId,
      notify_url: request.notifyUrl,
    });
    return this.read.order(data as object);
  }

  /** order_get.md: the order of the machine with its records and their delivery statuses; 80002 if not the machine's. */
  async getOrder(machineNo: string, orderId: number): Promise<Order> {
    return readOrder(this.read, (await this.signed('POST', `/orders/${orderId}`, { machine_no: machineNo })) as object);
  }

  /**
   * delivery_put.md: vends the record's item. 30002 if the machine is offline, 30005 while it
   * vends another item, 80004 if the record is not waiting for a delivery. The result comes
   * from the machine later: `getDelivery`, or the order's notify_url.
   */
  async deliver(machineNo: string, orderId: number, recordId: number): Promise<Delivery> {
    const data = await this.signed('POST', '/deliveries', { machine_no: machineNo, method: METHOD.DELIVERY_PUT, order_id: orderId, record_id: recordId });
    return readDelivery(this.read, data as object);
  }

  /** delivery_test.md: a test vend of the channel named `channelName`; its result goes to `notifyUrl`. */
  async testDelivery(machineNo: string, channelName: string, notifyUrl: string): Promise<Delivery> {
    const data = await this.signed('POST', '/deliveries/debug', { machine_no: machineNo, method: METHOD.DELIVERY_PUT, channel_name: channelName, notify_url: notifyUrl });
    return readDelivery(this.read, data as object);
  }

  /** delivery_get.md: where a delivery stands. */
  async getDelivery(machineNo: string, deliveryId: number): Promise<DeliveryState> {
    return readDeliveryState(this.read, (await this.signed('POST', `/deliveries/${deliveryId}`, { machine_no: machineNo })) as object);
  }

  /** Extension: the machine's orders made on `day` (`YYYY-MM-DD`, or a Date's day in the platform zone), newest first, with their records. */
  async ordersOfDay(machineNo: string, day: WallTimeInput, paging: { page?: number; perPage?: number } = {}): Promise<Page<OrderOfDay>> {
    const data = await this.signed('POST', '/orders/query', { machine_no: machineNo, date: this.wallTime(day).slice(0, 10), page: paging.page, per_page: paging.perPage });
    return this.read.page(data, (order) => readOrderOfDay(this.read, order), paging.perPage ?? 10);
  }

  /** Extension: every delivery of the order's records, oldest first; 80002 if not the machine's order. */
  async orderDeliveries(machineNo: string, orderId: number): Promise<OrderDelivery[]> {
    return list(await this.signed('POST', '/deliveries/query', { machine_no: machineNo, order_id: orderId })).map((delivery) => readOrderDelivery(this.read, delivery));
  }

  /** Extension: how many pushes wait for the machine (it is offline, or slow to acknowledge), and since when. */
  async unsentPushes(machineNo: string): Promise<UnsentPushes> {
    return readUnsentPushes(this.read, (await this.signed('POST', '/machines/pushes', { machine_no: machineNo })) as object);
  }

  /** Extension: the merchant's latest callbacks and events (older than `beforeId` when given), newest first, with every attempt. */
  async latestCallbacks(query: { perPage?: number; beforeId?: number } = {}): Promise<OrderCallback[]> {
    const data = await this.signed('POST', '/callbacks/latest', { per_page: query.perPage, before_id: query.beforeId });
    return list(data).map((callback) => readOrderCallback(this.read, callback));
  }

  /** Extension: where the merchant's events go, and whether a secret signs them. */
  async getWebhook(): Promise<Webhook> {
    return readWebhook((await this.signed('POST', '/webhook', {})) as object);
  }

  /** Extension: the merchant's events go to `url` from now on (`null`: nowhere, and none is queued). */
  async setWebhook(url: string | null): Promise<void> {
    await this.signed('PUT', '/webhook', url === null ? { method: METHOD.WEBHOOK_CLEAR } : { method: METHOD.WEBHOOK_SET, webhook_url: url });
  }

  /** Extension: a new webhook secret, replacing the old one at once; returned this once only. */
  async rotateWebhookSecret(): Promise<string> {
    return ((await this.signed('PUT', '/webhook', { method: METHOD.WEBHOOK_ROTATE_SECRET })) as { webhook_secret: string }).webhook_secret;
  }

  private codeOptions(options: CodeOptions): Record<string, FieldValue> {
    return {
      code_length: options.codeLength,
      expired_at: options.expiredAt === undefined ? undefined : this.wallTime(options.expiredAt),
    };
  }

  private createdCodes(data: unknown): PickupCode[] {
    return list((data as { codes?: unknown })?.codes).map((code) => this.read.pickupCode(code));
  }
}
