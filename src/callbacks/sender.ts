/**
 * The callback sender of one instance (docs/callbacks.md): takes due callbacks from the
 * shared queue, each attempt claimed by one instance only, POSTs them through the SSRF guard
 * and records every attempt. Woken by a commit that queued a callback (it goes out at once)
 * and by a poll (retries coming due, other instances' rows, claims whose sender died).
 */
import { randomUUID } from 'node:crypto';
import type { CallbacksConfig } from '../config.js';
import { claimDueCallbacks, recordAttempt, signedRequest, type Callback } from '../service/callback-sending.js';
import { authorAt, runChange, WakeLoop } from '../service/runner.js';
import type { Author, Store } from '../store/store.js';
import { postCallback } from './post.js';

export interface SenderLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface CallbackSender {
  /** This instance's attempts so far, by what became of each (delivered, retry, failed, lost-claim): the metrics. */
  readonly attempts: Readonly<Record<string, number>>;
  /** Resolves when nothing is in flight and no round runs. */
  idle(): Promise<void>;
  /** Runs one round now (tests, after moving the clock). */
  poke(): void;
  stop(): Promise<void>;
}

/** An error's message without the URL's query (it may carry the merchant's tokens), short. */
/** The author of the sender's bookkeeping (its claims, its attempts), at `now`. */
function senderAuthor(now: number): Author {
  return authorAt('callback sender', now);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.replace(/\?\S*/g, '?…').slice(0, 300);
}

function logAttempt(logger: SenderLogger, callback: Callback, outcome: string, result: { http_status: number | null; latency_ms: number; error: string | null }): void {
  const details = { callback_id: callback.id, event_id: callback.event_id, type: callback.event_type, attempt: callback.attempts + 1, http_status: result.http_status, latency_ms: result.latency_ms };
  if (outcome === 'delivered') logger.info(details, 'callback delivered');
  else logger.warn({ ...details, error: result.error, outcome }, 'callback attempt failed');
}

export function startCallbackSender(store: Store, config: CallbacksConfig, logger: SenderLogger): CallbackSender {
  const inFlight = new Set<Promise<void>>();
  const attempts: Record<Awaited<ReturnType<typeof recordAttempt>>, number> = { delivered: 0, retry: 0, failed: 0, 'lost-claim': 0 };

  const attempt = async (callback: Callback, token: string): Promise<void> => {
    const startedAt = config.clock();
    const started = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const request = await signedRequest(store.db, callback, startedAt);
      httpStatus = await postCallback(request.url, request.body, request.headers, { timeoutMs: config.timeoutMs, allowPrivate: config.allowPrivate });
      if (httpStatus < 200 || httpStatus >= 300) error = `HTTP ${httpStatus}`;
    } catch (failure) {
      error = describe(failure);
    }
    const latencyMs = Math.round(performance.now() - started);
    const report = { startedAt, latencyMs, httpStatus, error };
    const outcome = await runChange(store, senderAuthor(config.clock()), (work) => recordAttempt(work, callback, token, report));
    attempts[outcome]++;
    logAttempt(logger, callback, outcome, { http_status: httpStatus, latency_ms: latencyMs, error });
  };

  const round = async (): Promise<void> => {
    const room = config.concurrency - inFlight.size;
    if (room <= 0) return;
    const token = randomUUID();
    for (const callback of await runChange(store, senderAuthor(config.clock()), (work) => claimDueCallbacks(work, config.leaseSeconds, room, token))) {
      const sending = attempt(callback, token)
        .catch((error: unknown) => logger.warn({ err: describe(error), callback_id: callback.id }, 'recording a callback attempt failed; it is retried after its lease'))
        .finally(() => {
          inFlight.delete(sending);
          loop.wake();
        });
      inFlight.add(sending);
    }
  };

  const loop = new WakeLoop(store, {
    wakesOn: 'callbacks',
    pollIntervalMs: config.pollIntervalMs,
    round,
    onError: (error) => logger.warn({ err: describe(error) }, 'callback round failed'),
  });
  loop.start();

  return {
    attempts,
    async idle() {
      while (loop.busy || inFlight.size > 0) await Promise.allSettled([loop.idle(), ...inFlight]);
    },
    poke: () => loop.wake(),
    async stop() {
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
