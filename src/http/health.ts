/**
 * GET /healthz: 200 when every part answers, 503 naming the part that does not; a load
 * balancer uses it for liveness. GET /readyz: 503 as soon as shutdown begins (app.ts's
 * onRequest hook answers every request so then), so traffic drains away before the process
 * stops accepting connections.
 */
import type { FastifyPluginAsync } from 'fastify';

/** A named probe for /healthz: resolves when the part works, throws when it does not. */
export type HealthCheck = () => Promise<void>;

export const healthRoutes: FastifyPluginAsync<{ checks: Record<string, HealthCheck> }> = async (scope, { checks }) => {
  scope.get('/healthz', async (_request, reply) => {
    const status: Record<string, string> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          status[name] = 'ok';
        } catch (error) {
          status[name] = `down: ${(error as Error).message}`;
        }
      }),
    );
    const healthy = Object.values(status).every((value) => value === 'ok');
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', ...status });
  });
  scope.get('/readyz', async () => ({ ready: true }));
};
