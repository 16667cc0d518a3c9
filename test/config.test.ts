/** One configuration: every default filled in one place, the result frozen and handed down. */
import assert from 'node:assert/strict';
import { describe, it } from './helpers/node-test.js';
import { dbFromEnvironment, DEFAULTS, resolveConfig } from '../src/config.js';

describe('configuration', () => {
  it('resolveConfig fills every setting left out with its default', () => {
    const config = resolveConfig({ db: 'x.sqlite' });
    assert.equal(config.host, DEFAULTS.host);
    assert.equal(config.port, DEFAULTS.port);
    assert.equal(config.store.sqliteSynchronous, 'FULL');
    assert.equal(config.server.timestampWindowSeconds, 300);
    assert.equal(config.server.timeZone, 'Asia/Shanghai');
    assert.equal(config.server.rateLimitPerMinute, 3000);
    assert.deepEqual(config.mqtt, { mode: 'off' });
    assert.equal(config.link.pollIntervalMs, DEFAULTS.link.pollIntervalMs);
    assert.equal(config.housekeeping.purgeIntervalMs, DEFAULTS.housekeeping.purgeIntervalMs);
    assert.equal(config.housekeeping.keepCallbacksDays, 30, 'callback attempts and finished events are kept 30 days unless told');
  });

  it('what a caller gives wins, and the link reads the server clock unless given its own', () => {
    const clock = () => 42;
    const config = resolveConfig({ db: 'x.sqlite', port: 0, config: { clock, timestampWindowSeconds: 0 }, link: { pollIntervalMs: 5 } });
    assert.equal(config.port, 0);
    assert.equal(config.server.timestampWindowSeconds, 0);
    assert.equal(config.link.clock(), 42);
    assert.equal(config.link.pollIntervalMs, 5);
  });

  it('the resolved configuration is frozen at every depth', () => {
    const config = resolveConfig({ db: 'x.sqlite', mqtt: { mode: 'embedded', port: 0 } });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server) && Object.isFrozen(config.mqtt) && Object.isFrozen(config.link));
    assert.throws(() => {
      (config.server as { rateLimitPerMinute: number }).rateLimitPerMinute = 1;
    }, TypeError);
  });

  it('the database comes from VENDCLOUD_DB, else DATABASE_URL, else the default file', () => {
    assert.equal(dbFromEnvironment({ VENDCLOUD_DB: 'a.sqlite', DATABASE_URL: 'postgres://b' }), 'a.sqlite');
    assert.equal(dbFromEnvironment({ VENDCLOUD_DB: '', DATABASE_URL: 'postgres://b' }), 'postgres://b');
    assert.equal(dbFromEnvironment({}), DEFAULTS.db);
  });
});
