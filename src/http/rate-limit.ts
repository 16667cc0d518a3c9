/**
 * The per-Appid rate limit (an extension: 429 with the envelope and Retry-After). Without
 * Redis each instance counts on its own, so N instances let an Appid make N times the
 * limit; with a Redis URL every instance counts in one place and the limit is the limit.
 *
 * Redis down (or too slow to answer): requests are let through uncounted, and the log says
 * so once per outage. The limit shields the service from one merchant's runaway client; it
 * is not what keeps anything correct or secret (authentication, signatures and idempotency
 * do not depend on it). Refusing every merchant's every request because the counter is
 * unreachable would turn a Redis outage into a full API outage, which is worse than a few
 * minutes without the limit.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { ApiError, ErrorCode } from '../protocol/errors.js';

export interface RateLimitSettings {
  /** Requests per minute per Appid; 0 = no limit. */
  perMinute: number;
  /** redis://… shared by every instance; undefined = count on this instance. */
  redisUrl: string | undefined;
  /** Prefix of the counters' keys in Redis. */
  redisKeyPrefix: string;
}

/** Longest a request waits for its count before it goes on uncounted, ms. */
const REDIS_COMMAND_TIMEOUT_MS = 250;

export async function registerRateLimit(scope: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  if (settings.perMinute <= 0) return;
  const redis = settings.redisUrl ? sharedCounter(settings.redisUrl, scope.log) : undefined;
  if (redis) {
    scope.addHook('onClose', async () => redis.disconnect());
    // Count from the first request when Redis is there; start anyway (uncounted) when it is not.
    await new Promise<void>((resolve) => {
      redis.once('ready', resolve);
      redis.once('error', resolve);
    });
  }
  await scope.register(rateLimit, {
    max: settings.perMinute,
    timeWindow: 60_000,
    // Per merchant: one busy integration must not starve the others behind a shared NAT.
    keyGenerator: (request) => {
      const appid = request.headers.appid;
      return typeof appid === 'string' && appid !== '' ? `appid:${appid}` : `ip:${request.ip}`;
    },
    // The plugin sets Retry-After (seconds) before this error reaches the envelope.
    errorResponseBuilder: () => new ApiError(ErrorCode.TOO_MANY_REQUESTS),
    ...(redis ? { redis, nameSpace: settings.redisKeyPrefix, skipOnError: true } : {}),
  });
}

/** The Redis client of the shared counters: fails fast rather than holding requests, and logs each change of reachability once. */
function sharedCounter(url: string, log: FastifyBaseLogger): Redis {
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
