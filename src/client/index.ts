/**
 * The vendcloud SDK. Import it from the package root, or from `vendcloud/client` to
 * leave the server's code (Fastify, SQLite...) out of a browser or edge bundle.
 */
export { VendcloudClient } from './client.js';
export type { VendcloudClientOptions } from './client.js';
export type { WallTimeInput, ProductQuery, CodeOptions, CreateCodesRequest, PickupCodeQuery, ConsumeRequest } from './requests.js';
export { OpenApiError, NetworkError } from './errors.js';
export type { Page, MachineSummary, MachineDetail, Product, PickupCode, PickupCodeStatus, PickupCodeStatusFilter, PickupOrder } from './results.js';
export type { MachineOverview, LiveCodeCount, PickupCodeHistory, PickupCodeEvent, MachinePush, ProductStock } from './extension-results.js';
export type { Order, OrderRecord, Delivery, DeliveryState, DeliveryStatus } from './delivery-results.js';
export type { Fetch } from './transport.js';
export { API_PREFIX, METHOD } from '../protocol/endpoints.js';
export { ErrorCode } from '../protocol/errors.js';
export type { OrderCallback, CallbackAttempt } from './callback-results.js';
export type { OrderOfDay, OrderDelivery, UnsentPushes, Webhook } from './lifecycle-results.js';
export { verifyWebhook } from './webhooks.js';
export type { WebhookHeaders, VerifyWebhookOptions } from './webhooks.js';
export { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_EVENT_ID_HEADER } from '../protocol/webhook-signature.js';
