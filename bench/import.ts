/**
 * Moving in 100,000 pickup codes (issue 20, docs/import.md): the real `vendcloud import`
 * binary on a fresh database, timed from start to exit (reading, checking, comparing,
 * inserting, committing), then the same file again (a no-op that still reads and compares
 * everything), then `vendcloud export` of it all.
 *
 *   node dist/bench/import.js [--codes 100000] [--db postgres://…]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const MACHINES = 10;
const PRODUCTS_PER_MACHINE = 10;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** One merchant, 10 machines of 10 products, and `codes` UNUSED codes spread over them. */
function movingFile(codes: number) {
  const machines = Array.from({ length: MACHINES }, (_, m) => ({ id: 1001 + m, machine_no: String(90_000_000 + m), merchant_id: 501, mqtt_password: `password-${m}`, pickup_codes: true }));
  const products = machines.flatMap((machine, m) =>
    Array.from({ length: PRODUCTS_PER_MACHINE }, (_, p) => ({ id: 2001 + m * PRODUCTS_PER_MACHINE + p, machine_no: machine.machine_no, name: `Product ${p}`, price: '3.50', capacity: 100, current_inventory: 100 })),
  );
  const pickupCodes = Array.from({ length: codes }, (_, index) => {
    const product = products[index % products.length]!;
    return { id: 100_001 + index, machine_no: product.machine_no, product_id: product.id, code: String(10_000_000 + index), status: 'UNUSED', expired_at: '2031-06-30 23:59:59', created_at: '2026-11-01 10:00:00' };
  });
  return { merchants: [{ merchant_id: 501, name: 'Moving merchant', appid: 'dsbench', app_secret: 'bench-secret-bench-secret-123456' }], machines, products, pickup_codes: pickupCodes };
}

function timed(args: string[], env: Record<string, string>): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`vendcloud ${args[0]} exited ${run.status}: ${run.stderr}`);
  return { seconds, stdout: run.stdout };
}

async function main(): Promise<void> {
  const codes = Number(flag('codes') ?? 100_000);
  const pgUrl = flag('db');
  const dir = mkdtempSync(join(tmpdir(), 'vendcloud-import-bench-'));
  const schema = `bench_import_${process.pid}`;
  const db = pgUrl ?? join(dir, 'moved.sqlite');
  const env: Record<string, string> = pgUrl ? { VENDCLOUD_DB_SCHEMA: schema } : {};
  try {
    const path = join(dir, 'moving.json');
    writeFileSync(path, JSON.stringify(movingFile(codes)));
    const first = timed(['import', path, '--db', db, '--json'], env);
    const again = timed(['import', path, '--db', db, '--json'], env);
    const exported = timed(['export', '--db', db], env);
    const figures = {
      store: pgUrl ? 'postgres' : 'sqlite',
      codes,
      import_seconds: Number(first.seconds.toFixed(2)),
      codes_per_second: Math.round(codes / first.seconds),
      reimport_noop_seconds: Number(again.seconds.toFixed(2)),
      reimport_created: JSON.parse(again.stdout).created,
      export_seconds: Number(exported.seconds.toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (pgUrl) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

await main();
