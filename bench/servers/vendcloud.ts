/**
 * vendcloud under test: the same `startServer` the CLI's `serve` calls, with the request
 * log off. The CLI writes one JSON line per request to stdout; that is a deployment choice
 * whose cost belongs to the log pipeline, not to the service, so it is left out here.
 * Durability stays at its default (SQLite synchronous=FULL) unless --synchronous says otherwise.
 *
 * Usage: node vendcloud.js --db FILE|postgres://… [--db-schema NAME] [--synchronous FULL|NORMAL]
 *        [--pg-pool-size N] [--pg-write-batches N] [--mqtt-port N] [--purge-interval-ms N] [--metrics-port N]
 */
import { startServer } from '../../src/server.js';
import { serveAsChild } from '../processes.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const db = option('--db');
if (!db) {
  process.stderr.write('--db is required\n');
  process.exit(2);
}
const dbSchema = option('--db-schema');
const synchronous = option('--synchronous') === 'NORMAL' ? 'NORMAL' : undefined;
// PostgreSQL's pool and write batches, to measure their defaults (issue 13).
const pgPoolSize = option('--pg-pool-size');
const pgWriteBatches = option('--pg-write-batches');
// The embedded broker on this port (the fleet scenario); the link is off otherwise.
const mqttPort = option('--mqtt-port');
// How often the housekeeping purges (the purge-stall scenario starts it within a second, not a minute).
const purgeIntervalMs = option('--purge-interval-ms');
// Prometheus metrics on this port (the metrics scenario); off otherwise, as by default.
const metricsPort = option('--metrics-port');
const server = await startServer({
  db,
  port: 0,
  ...(metricsPort ? { metricsPort: Number(metricsPort) } : {}),
  logger: false,
  // 64 connections of one merchant are a load test, not an abusive client.
  config: { rateLimitPerMinute: 0 },
  ...(purgeIntervalMs ? { housekeeping: { purgeIntervalMs: Number(purgeIntervalMs) } } : {}),
  ...(mqttPort ? { mqtt: { mode: 'embedded' as const, host: '127.0.0.1', port: Number(mqttPort) } } : {}),
  store: {
    ...(dbSchema ? { pgSchema: dbSchema } : {}),
    ...(synchronous ? { sqliteSynchronous: synchronous } : {}),
    ...(pgPoolSize ? { pgPoolSize: Number(pgPoolSize) } : {}),
    ...(pgWriteBatches ? { pgWriteBatches: Number(pgWriteBatches) } : {}),
  },
});
serveAsChild(Number(new URL(server.url).port), () => server.close());
