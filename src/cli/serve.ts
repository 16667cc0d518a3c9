/** `vendcloud serve`: runs the Open API (and, with --demo, seeds and prints credentials). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { encodeSignedPayload } from '../protocol/payload.js';
import { API_PREFIX } from '../http/app.js';
import { ensureDemoData, type DemoCredentials } from '../service/demo.js';
import { isPostgresUrl } from '../store/store.js';
import { startServer, type RunningServer } from '../server.js';
import { defaultDb, EXIT, fail, parseWholeNumber } from './output.js';

interface ServeOptions {
  host: string;
  port: number;
  db: string;
  demo?: boolean;
  timestampWindow: number;
  timeZone: string;
  synchronous: 'FULL' | 'NORMAL';
  rateLimit: number;
}

function demoBanner(server: RunningServer, demo: DemoCredentials): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const payload = encodeSignedPayload({ machine_no: demo.machine_no, timestamp }, String(demo.merchant_id));
  return [
    '',
    'vendcloud demo is running',
    `  Open API     ${server.url}${API_PREFIX}`,
    `  merchant_id  ${demo.merchant_id}   (the signing key)`,
    `  Appid        ${demo.appid}`,
    `  AppSecret    ${demo.app_secret}`,
    `  machine_no   ${demo.machine_no}   (MQTT password ${demo.mqtt_password})`,
    `  product ids  ${demo.product_ids.join(', ')}`,
    '',
    'Try it (the signed payload is valid for 5 minutes):',
    `  curl -s -X POST ${server.url}${API_PREFIX}/ping -H 'Appid: ${demo.appid}' -H 'AppSecret: ${demo.app_secret}'`,
    `  curl -s -X POST ${server.url}${API_PREFIX}/products/${demo.product_ids[0]}/pickup_code -H 'Appid: ${demo.appid}' -H 'AppSecret: ${demo.app_secret}' -d '{"payload":"${payload}"}'`,
    '',
  ].join('\n');
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Open API server')
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--port <port>', 'HTTP port (env PORT)', parseWholeNumber(0), Number(process.env.PORT ?? 8080))
    .option('--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB, DATABASE_URL)', defaultDb())
    .option('--demo', 'seed demo data when empty and print credentials')
    .option('--timestamp-window <seconds>', 'accepted clock skew of signed requests; 0 = off', parseWholeNumber(0), 300)
    .option('--time-zone <zone>', 'platform time zone', 'Asia/Shanghai')
    .option('--rate-limit <per-minute>', 'requests per minute per Appid on this instance; 0 = no limit', parseWholeNumber(0), 3000)
    .option('--synchronous <FULL|NORMAL>', 'SQLite durability (FULL survives power loss)', 'FULL')
    .action(async (options: ServeOptions) => {
      if (options.synchronous !== 'FULL' && options.synchronous !== 'NORMAL') fail('--synchronous must be FULL or NORMAL', EXIT.USAGE);
      if (!isPostgresUrl(options.db)) mkdirSync(dirname(options.db), { recursive: true });
      let server: RunningServer;
      try {
        server = await startServer({
          db: options.db,
          host: options.host,
          port: options.port,
          config: { timestampWindowSeconds: options.timestampWindow, timeZone: options.timeZone, rateLimitPerMinute: options.rateLimit },
          store: { sqliteSynchronous: options.synchronous },
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') fail(`port ${options.port} is in use: choose another with --port or PORT`, EXIT.USAGE);
        fail(`cannot start: ${(error as Error).message}`, EXIT.API_ERROR);
      }
      if (options.demo) process.stdout.write(`${demoBanner(server, await ensureDemoData(server.store))}\n`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
