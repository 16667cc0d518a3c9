/**
 * The probes of a load balancer or an orchestrator, outside the signed API (no Appid).
 * GET /healthz (liveness): 200 whenever the process answers; a database or a broker being
 * away is no reason to restart the process, which reconnects by itself. GET /readyz
 * (readiness): 200 when every part this instance needs answers (the store, its migrations,
 * the broker), else 503 naming what is missing, so traffic goes to another instance
 * meanwhile; and 503 as soon as shutdown begins (app.ts's onRequest hook answers every
 * request so then), so traffic drains away before the process stops accepting connections.
 */
import type { FastifyPluginAsync } from 'fastify';

/** A named readiness probe: resolves when the part works, throws (saying why) when it does not. */
export type HealthCheck = () => Promise<void>;

/** How long a probe may take before it counts as down: a load balancer's probe must not hang on a dead database. */
const PROBE_TIMEOUT_MS = 2000;

async function probe(check: HealthCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer in time')), PROBE_TIMEOUT_MS)))]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsync<{ checks: Record<string, HealthCheck> }> = async (scope, { checks }) => {
  scope.get('/healthz', async () => ({ status: 'ok' }));
  scope.get('/readyz', async (_request, reply) => {
    const names = Object.keys(checks);
    const outcomes = await Promise.all(names.map((name) => probe(checks[name]!)));
    const status = Object.fromEntries(names.map((name, index) => [name, outcomes[index]!]));
    const ready = outcomes.every((outcome) => outcome === 'ok');
    return reply.code(ready ? 200 : 503).send({ ready, ...status });
  });
};
