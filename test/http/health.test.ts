/**
 * Liveness and readiness probes for load balancers and orchestrators (issue 22, point 3),
 * outside the signed API: no Appid, no payload.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it } from '../helpers/node-test.js';
import { request } from 'undici';
import { needs } from '../helpers/components.js';
import { eventually } from '../helpers/link.js';
import { startOwnMosquitto, type OwnMosquitto } from '../helpers/mosquitto.js';
import { startTestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { startServer } from '../../src/server.js';

async function probe(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await request(url);
  return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
}

for (const kind of storeKinds()) {
  describe(`health [${kind.name}]`, { skip: kind.skip }, () => {
    it('/readyz is 200 naming every part ok while all is up; with the store closed under the server it is 503 naming the database, while /healthz stays 200', async () => {
      const server = await startTestServer(kind);
      try {
        assert.deepEqual(await probe(`${server.url}/healthz`), { status: 200, body: { status: 'ok' } });
        assert.deepEqual(await probe(`${server.url}/readyz`), { status: 200, body: { ready: true, database: 'ok', migrations: 'ok' } });
        await server.store.close();
        const broken = await probe(`${server.url}/readyz`);
        assert.equal(broken.status, 503);
        assert.equal(broken.body.ready, false);
        assert.match(String(broken.body.database), /^down: /);
        assert.deepEqual(await probe(`${server.url}/healthz`), { status: 200, body: { status: 'ok' } });
      } finally {
        await server.app.close();
        await server.close().catch(() => undefined);
      }
    });

    it('/readyz is 503 naming the migrations this code has that the database has not run', async () => {
      const server = await startTestServer(kind);
      try {
        await server.store.write(BY_TEST, ({ trx }) => trx.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0004_outbox_by_machine' as never).execute());
        const answer = await probe(`${server.url}/readyz`);
        assert.equal(answer.status, 503);
        assert.deepEqual(answer.body, { ready: false, database: 'ok', migrations: 'down: not run: 0004_outbox_by_machine' });
      } finally {
        await server.close();
      }
    });
  });
}

describe('readiness when PostgreSQL refuses connections', needs('postgres'), () => {
  it('/readyz is 503 naming the database while its connections are cut and refused, and 200 again once they are allowed', async () => {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const database = `vc_ready_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const server = await startServer({ db: url.toString(), port: 0, logger: false });
    try {
      assert.equal((await probe(`${server.url}/readyz`)).status, 200);
      await admin.query(`alter database ${database} allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
      const refused = await probe(`${server.url}/readyz`);
      assert.equal(refused.status, 503);
      assert.match(String(refused.body.database), /^down: /);
      await admin.query(`alter database ${database} allow_connections true`);
      await eventually(async () => (await probe(`${server.url}/readyz`)).status === 200, 'ready again once PostgreSQL accepts connections');
    } finally {
      await server.close().catch(() => undefined);
      await admin.query(`alter database ${database} allow_connections true`);
      await admin.query(`drop database ${database} with (force)`);
      await admin.end();
    }
  });
});

describe('readiness and the broker', needs('mosquitto'), () => {
  let mosquitto: OwnMosquitto;
  before(async () => {
    mosquitto = await startOwnMosquitto();
  });
  after(async () => {
    await mosquitto?.stop();
  });

  it('/readyz is 503 naming the broker while the server is not connected to it, and 200 again once it is', async () => {
    const [sqlite] = storeKinds();
    const location = await sqlite!.fresh();
    const server = await startServer({ db: location.db, port: 0, logger: false, mqtt: { mode: 'external', url: mosquitto.serverUrl } });
    try {
      assert.deepEqual(await probe(`${server.url}/readyz`), { status: 200, body: { ready: true, database: 'ok', migrations: 'ok', broker: 'ok' } });
      await mosquitto.halt();
      await eventually(() => !server.link!.connected, 'the server notices the broker is gone');
      assert.deepEqual(await probe(`${server.url}/readyz`), { status: 503, body: { ready: false, database: 'ok', migrations: 'ok', broker: 'down: not connected' } });
      await mosquitto.start();
      await eventually(async () => (await probe(`${server.url}/readyz`)).status === 200, 'ready again once the broker is back');
    } finally {
      await server.close();
      await location.cleanup();
    }
  });
});
