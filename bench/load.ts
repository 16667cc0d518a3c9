/**
 * One load run: autocannon, programmatic, in this process, against a server child.
 * Every request is built fresh by the scenario (setupRequest), and every response is
 * checked: a non-2xx status or an envelope whose code is not 0 counts as an error and a
 * few are kept to print, because a benchmark of failing requests is worthless.
 */
import autocannon from 'autocannon';

export interface RequestSpec {
  method: 'POST' | 'PUT';
  path: string;
  /** JSON text; absent for header-only routes. */
  body?: string;
}

/** A fresh request each call (distinct writes), or one fixed request (ping). */
export type RequestSource = (() => RequestSpec) | RequestSpec;

export interface LoadResult {
  rps: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Responses that were not HTTP 2xx or whose envelope code was not 0. */
  failed: number;
  /** Socket errors and timeouts. */
  socketErrors: number;
  /** Up to five failing responses, as received. */
  samples: string[];
  /** Requests built during the run because the prepared ones ran out. */
  builtLive: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Headers every request carries (Appid, AppSecret). */
  headers: Record<string, string>;
  /**
   * How many requests to build before the clock starts. Signing costs the load generator
   * about 20 µs a request, which on 2 shared cores would cap the baseline it is compared
   * with; built a few seconds ahead, the timestamps are still well inside the window.
   */
  prepare: number;
  /** Requests a second in all, spread over the connections; unset, as fast as the server answers. */
  overallRate?: number;
}

export async function runLoad(url: string, source: RequestSource, options: LoadOptions): Promise<LoadResult> {
  let failed = 0;
  const samples: string[] = [];
  const onResponse = (status: number, body: string) => {
    // Every server here answers with the envelope first: `{"code":0,` means success.
    if (status >= 200 && status < 300 && body.startsWith('{"code":0,')) return;
    failed++;
    if (samples.length < 5) samples.push(`HTTP ${status} ${body.slice(0, 300)}`);
  };
  const headers = { ...options.headers, 'content-type': 'application/json' };
  let builtLive = 0;
  let request: Record<string, unknown>;
  if (typeof source === 'function') {
    const prepared = Array.from({ length: options.prepare }, () => source());
    let next = 0;
    request = {
      setupRequest: (request: any) => {
        let spec = prepared[next];
        if (spec) prepared[next++] = undefined as unknown as RequestSpec;
        else {
          spec = source();
          builtLive++;
        }
        request.method = spec.method;
        request.path = spec.path;
        request.body = spec.body ?? '';
        return request;
      },
      onResponse,
    };
  } else {
    request = { method: source.method, path: source.path, body: source.body ?? '', onResponse };
  }
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, timeout: 30, headers, requests: [request as any], ...(options.overallRate ? { overallRate: options.overallRate } : {}) });
  return {
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failed,
    socketErrors: result.errors + result.timeouts,
    samples,
    builtLive,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
