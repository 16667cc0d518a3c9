/** Liveness and readiness probes for load balancers. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { request } from 'undici';
import { startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`health [${kind.name}]`, { skip: kind.skip }, () => {
    it('/healthz is 200 while the database answers and 503 naming it when it does not', async () => {
      const server = await startTestServer(kind);
      try {
        const healthy = await request(`${server.url}/healthz`);
        assert.equal(healthy.statusCode, 200);
        assert.deepEqual(await healthy.body.json(), { status: 'ok', database: 'ok' });
        assert.equal((await request(`${server.url}/readyz`)).statusCode, 200);
        await server.store.close();
        const broken = await request(`${server.url}/healthz`);
        assert.equal(broken.statusCode, 503);
        const body = (await broken.body.json()) as { status: string; database: string };
        assert.equal(body.status, 'degraded');
        assert.match(body.database, /^down/);
      } finally {
        await server.app.close();
        await server.close().catch(() => undefined);
      }
    });
  });
}
