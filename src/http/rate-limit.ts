/**
 * The HTTP limits' counters (extensions: 429 with the envelope and Retry-After), each a
 * fixed window per key: requests per Appid (charged once the secret matched, so whoever
 * knows an Appid cannot spend its merchant's quota with wrong secrets), failed
 * authentications per client address, wrong pickup codes per machine (consume-guard.ts).
 * Without Redis each instance counts on its own, so N instances let a key make N times the
 * limit; with a Redis URL every instance counts in one place and the limit is the limit.
 *
 * Redis down (or too slow to answer): requests are let through uncounted, and the log says
 * so once per outage. The limits shield the service from a runaway client or a guesser; they
 * are not what keeps anything correct or secret (authentication, signatures and idempotency
 * do not depend on them). Refusing every merchant's every request because the counter is
 * unreachable would turn a Redis outage into a full API outage, which is worse than a few
 * minutes without the limits.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import type { ServerConfig } from '../config.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';

/** Longest a request waits for its count before it goes on uncounted, ms. */
const REDIS_COMMAND_TIMEOUT_MS = 250;
/** Keys a counter of this instance holds before expired windows are dropped. */
const LOCAL_KEYS_BEFORE_SWEEP = 10_000;

/** A key's count in its window and the seconds until the window ends. */
export interface WindowCount {
  count: number;
  retryAfterSeconds: number;
}

/** Counts per key in fixed windows; undefined = not counted (Redis unreachable). */
export interface WindowCounter {
  /** Adds one and returns the count. */
  add(key: string, windowMs: number): Promise<WindowCount | undefined>;
  /** The count now, without adding to it. */
  peek(key: string): Promise<WindowCount | undefined>;
  close(): Promise<void>;
}

/** One limit: `max` per window of `windowMs` under its own key prefix; max 0 = no limit. */
export class Limit {
  constructor(
    private readonly counter: WindowCounter,
    private readonly prefix: string,
    readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one more; the seconds to wait when that went over the limit. */
  async charge(key: string): Promise<{ over: boolean; count: number; retryAfterSeconds: number }> {
    if (this.max <= 0) return { over: false, count: 0, retryAfterSeconds: 0 };
    const counted = await this.counter.add(this.prefix + key, this.windowMs);
    if (!counted) return { over: false, count: 0, retryAfterSeconds: 0 };
    return { over: counted.count > this.max, ...counted };
  }

  /** The key's count now, without adding to it; 0 when not counted (no limit, or Redis unreachable). */
  async counted(key: string): Promise<WindowCount> {
    if (this.max <= 0) return { count: 0, retryAfterSeconds: 0 };
    return (await this.counter.peek(this.prefix + key)) ?? { count: 0, retryAfterSeconds: 0 };
  }

  /** The seconds to wait when the key is at its limit already, without counting. */
  async exhausted(key: string): Promise<number | undefined> {
    const counted = await this.counted(key);
    return this.max > 0 && counted.count >= this.max ? counted.retryAfterSeconds : undefined;
  }
}

export function localCounter(now: () => number = Date.now): WindowCounter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  const current = (key: string) => {
    const window = windows.get(key);
    return window && window.endsAt > now() ? window : undefined;
  };
  const seen = (window: { count: number; endsAt: number }) => ({ count: window.count, retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - now()) / 1000)) });
  return {
    async add(key, windowMs) {
      if (windows.size >= LOCAL_KEYS_BEFORE_SWEEP) for (const [k, w] of windows) if (w.endsAt <= now()) windows.delete(k);
      const window = current(key) ?? { count: 0, endsAt: now() + windowMs };
      window.count += 1;
      windows.set(key, window);
      return seen(window);
    },
    async peek(key) {
      const window = current(key);
      return window ? seen(window) : { count: 0, retryAfterSeconds: 0 };
    },
    async close() {},
  };
}

/** INCR, and the window's expiry set by the charge that opened it; returns the count and the ms left. */
const ADD_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

type CountingRedis = Redis & { vendcloudAdd(key: string, windowMs: number): Promise<[number, number]> };

/** Counters in Redis, shared by every instance, under `keyPrefix`. */
export async function redisCounter(url: string, keyPrefix: string, log: FastifyBaseLogger): Promise<WindowCounter> {
  const redis = sharedRedis(url, log) as CountingRedis;
  redis.defineCommand('vendcloudAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
  // Count from the first request when Redis is there; start anyway (uncounted) when it is not.
  await new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    redis.once('error', resolve);
  });
  const counted = (count: number, msLeft: number): WindowCount => ({ count, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) });
  return {
    async add(key, windowMs) {
      try {
        const [count, msLeft] = await redis.vendcloudAdd(keyPrefix + key, windowMs);
        return counted(count, msLeft);
      } catch {
        return undefined;
      }
    },
    async peek(key) {
      try {
        // Most keys have no window open (an address without failures): one GET, and the
        // window's end only for a key that has one.
        const count = await redis.get(keyPrefix + key);
        return count === null ? { count: 0, retryAfterSeconds: 0 } : counted(Number(count), await redis.pttl(keyPrefix + key));
      } catch {
        return undefined;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** The Redis client of the shared counters: fails fast rather than holding requests, and logs each change of reachability once. */
function sharedRedis(url: string, log: FastifyBaseLogger): Redis {
  const redis = new Redis(url, {
    // While disconnected, a count fails at once instead of queueing until Redis returns.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
  });
  const where = redactedUrl(url);
  let reachable: boolean | undefined;
  redis.on('ready', () => {
    if (reachable !== true) log.info({ redis: where }, 'rate limit: counting in Redis, shared by every instance');
    reachable = true;
  });
  redis.on('error', (error: Error) => {
    if (reachable !== false) log.warn({ redis: where, err: { message: error.message } }, 'rate limit: Redis unreachable; requests go through uncounted until it is back');
    reachable = false;
  });
  return redis;
}

/** The URL without its password, for the log. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}

/** The limits of one instance's HTTP app, counted in Redis when the configuration names one. */
export interface HttpLimits {
  /** Requests per Appid a minute, charged once its secret matched. */
  perAppid: Limit;
  /** Failed authentications (unknown Appid, wrong secret) per client address a minute. */
  failedAuthentications: Limit;
  /** Wrong pickup codes per machine in a window (consume-guard.ts). */
  wrongCodes: Limit;
  close(): Promise<void>;
}

export async function httpLimits(config: ServerConfig, log: FastifyBaseLogger): Promise<HttpLimits> {
  const counter = config.redisUrl ? await redisCounter(config.redisUrl, config.redisKeyPrefix, log) : localCounter();
  return {
    perAppid: new Limit(counter, 'appid:', config.rateLimitPerMinute, 60_000),
    failedAuthentications: new Limit(counter, 'failed-auth:', config.failedAuthPerMinute, 60_000),
    wrongCodes: new Limit(counter, 'wrong-codes:', config.wrongCodesPerMachine, config.wrongCodesWindowSeconds * 1000),
    close: () => counter.close(),
  };
}

/** Answers 429 (or the limit's own code) with the envelope and Retry-After. */
export function refuseOverLimit(reply: FastifyReply, retryAfterSeconds: number, code: ErrorCode = ErrorCode.TOO_MANY_REQUESTS): never {
  reply.header('retry-after', String(retryAfterSeconds));
  throw new ApiError(code);
}
