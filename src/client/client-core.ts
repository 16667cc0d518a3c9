/**
 * What every call of the SDK shares: the options, the credentials' headers, signing a payload
 * (the server's own implementation of PROTOCOL.md §2) and sending it through `fetch` with the
 * transport's retries. `VendcloudClient` (client.ts) adds the Open API's calls.
 */
import { API_PREFIX } from '../protocol/endpoints.js';
import { encodeSignedPayload } from '../protocol/payload.js';
import { assertTimeZone, DEFAULT_TIME_ZONE, formatWallTime, nowSeconds } from '../protocol/time.js';
import type { WallTimeInput } from './requests.js';
import { WireReader } from './results.js';
import { exchange, headerValue, nonce, type Fetch, type TransportOptions } from './transport.js';

export interface VendcloudClientOptions {
  /** The server's root, e.g. `https://cloud.example.com` (a trailing `/api/openapi/v1` is fine too). */
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** The merchant id: the key every payload is signed with. */
  merchantId: number | string;
  /** Per attempt, milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Further attempts after a network failure or a 5xx; default 2. Never after a 4xx or business failure. */
  retries?: number;
  /** The platform time zone the server writes times in; default Asia/Shanghai. */
  timeZone?: string;
  /** Defaults to the global `fetch`. */
  fetch?: Fetch;
  /** The merchant's signing secret: each request carries Vendcloud-Request-Signature (docs/security.md). */
  signingSecret?: string;
}

export type FieldValue = string | number | undefined;

const DEFAULTS = { timeoutMs: 10_000, retries: 2 };

export abstract class ClientCore {
  private readonly apiUrl: string;
  private readonly headers: Record<string, string>;
  private readonly key: string;
  protected readonly timeZone: string;
  private readonly transport: TransportOptions;
  protected readonly read: WireReader;

  constructor(options: VendcloudClientOptions) {
    const root = new URL(options.baseUrl).href.replace(/\/+$/, '');
    this.apiUrl = root.endsWith(API_PREFIX) ? root : `${root}${API_PREFIX}`;
    this.headers = { Appid: headerValue('appId', options.appId), AppSecret: headerValue('appSecret', options.appSecret) };
    this.key = String(options.merchantId);
    this.timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    assertTimeZone(this.timeZone);
    const retries = options.retries ?? DEFAULTS.retries;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be a whole number ≥ 0');
    const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetchImpl) throw new TypeError('no fetch in this runtime: pass one as options.fetch');
    this.transport = { fetch: fetchImpl, timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs, retries, ...(options.signingSecret ? { signingSecret: options.signingSecret } : {}) };
    this.read = new WireReader(this.timeZone);
  }

  /**
   * The base64 payload for exactly these fields, signed with this client's merchant id,
   * as a request body carries it. Adds nothing (no timestamp): for comparing with what
   * another client produces.
   */
  signPayload(fields: Record<string, string>): string {
    return encodeSignedPayload(fields, this.key);
  }

  /** Formats a Date as the platform's wall time; a string is sent as written. */
  wallTime(value: WallTimeInput): string {
    if (typeof value === 'string') return value;
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError('invalid Date');
    return formatWallTime(Math.floor(ms / 1000), this.timeZone);
  }

  protected unsigned(path: string): Promise<unknown> {
    return exchange({ method: 'POST', url: `${this.apiUrl}${path}`, headers: this.headers }, this.transport);
  }

  /**
   * Signs once and hands the same body to every attempt. The nonce is the call's
   * idempotency key: every attempt of one call carries it, so the server runs the call
   * once and answers a retry from its record; no two calls share it.
   */
  protected signed(method: 'POST' | 'PUT', path: string, fields: Record<string, FieldValue>): Promise<unknown> {
    const payload: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) payload[name] = String(value);
    payload.timestamp = String(nowSeconds());
    payload.nonce = nonce();
    return exchange(
      {
        method,
        url: `${this.apiUrl}${path}`,
        headers: { ...this.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ payload: this.signPayload(payload) }),
      },
      this.transport,
    );
  }
}
