/**
 * The least code that does the hot paths' work on PostgreSQL (issue 23), the yardsticks of
 * vendcloud on PostgreSQL as (d) and (e) are on SQLite: plain node:http and `pg`, a pool of
 * as many connections as vendcloud's default, in a schema of their own.
 *   pg-naive-read   (f) decode, MD5 verify, ONE prepared SELECT of the product's live codes
 *                   among a machine's 1,000 (the product id from the path), JSON out;
 *   pg-naive-write  (g) decode, MD5 verify, one UPDATE of a distinct row and one history
 *                   INSERT per request; the writes of one event-loop turn in one transaction
 *                   (one commit, one WAL flush), each answered after its COMMIT.
 * Every connection carries `--app` as its application_name, so the harness finds the
 * backends serving this process and counts their CPU with its own.
 *
 * Usage: node pg-baseline.js pg-naive-read|pg-naive-write --db postgres://… --schema NAME
 *        --app APPLICATION_NAME [--key MERCHANT_ID] [--product ID]
 */
import type { ServerResponse } from 'node:http';
import pg from 'pg';
import { PG_POOL_SIZE } from '../../src/store/store.js';
import { answer, INTERNAL_ERROR, NAIVE_ROWS, OK, option, productOf, READ_MACHINE_CODES, READ_PRODUCT_CODES, serve, signedServer } from './naive-http.js';

const schema = option('--schema', 'naive');
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);

async function openPool(): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: option('--db', ''),
    max: PG_POOL_SIZE,
    application_name: option('--app', 'vendcloud-bench-naive'),
    options: `-c search_path=${schema}`,
  });
  pool.on('error', () => undefined);
  await pool.query(`create schema if not exists ${schema}`);
  return pool;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A machine's codes as vendcloud keeps them: `product` has 5 live codes among 1,000. */
async function seedCodes(pool: pg.Pool, product: number): Promise<void> {
  await pool.query(`create table if not exists codes (id integer generated always as identity primary key, product_id integer not null,
    code text not null, status text not null, quantity integer not null, expired_at integer, created_at integer not null)`);
  await pool.query('create index if not exists codes_by_product on codes (product_id, status, id)');
  const { rows } = await pool.query<{ count: string }>('select count(*) as count from codes');
  if (Number(rows[0]!.count) > 0) return;
  await pool.query(
    `insert into codes (product_id, code, status, quantity, expired_at, created_at)
     select case when i < $2 then $1::integer else $1::integer + 1 end, (10000000 + i)::text, 'UNUSED', 1, null, 0 from generate_series(0, $3 - 1) as i`,
    [product, READ_PRODUCT_CODES, READ_MACHINE_CODES],
  );
  await pool.query('analyze codes');
}

async function naiveRead(): Promise<void> {
  const pool = await openPool();
  await seedCodes(pool, Number(option('--product', '1')));
  const live = "select * from codes where product_id = $1 and status = 'UNUSED' and (expired_at is null or expired_at > $2) order by id";
  const server = signedServer(option('--key', '1'), (_fields, request, response) => {
    pool.query({ name: 'live-codes', text: live, values: [productOf(request), nowSeconds()] }).then(
      ({ rows }) => answer(response, 200, `{"code":0,"message":"ok","data":${JSON.stringify({ list: rows })}}`),
      () => answer(response, 500, INTERNAL_ERROR),
    );
  });
  await serve(server, () => pool.end());
}

async function seedAccounts(pool: pg.Pool): Promise<void> {
  await pool.query('create table if not exists accounts (id integer primary key, balance integer not null, updated_at integer not null)');
  await pool.query(`create table if not exists history (id bigint generated always as identity primary key, account_id integer not null,
    action text not null, actor text not null, at integer not null)`);
  await pool.query('insert into accounts (id, balance, updated_at) select i, 0, 0 from generate_series(1, $1::integer) as i on conflict do nothing', [NAIVE_ROWS]);
  await pool.query('analyze accounts');
}

async function naiveWrite(): Promise<void> {
  const key = option('--key', '1');
  const pool = await openPool();
  await seedAccounts(pool);
  const update = 'update accounts set balance = balance + 1, updated_at = $1 where id = $2';
  const record = "insert into history (account_id, action, actor, at) values ($1, 'cancel', $2, $3)";
  let counter = 0;
  let batch: Array<{ id: number; response: ServerResponse }> = [];
  // The writes of one turn, in one transaction on one connection; batches of later turns
  // take the pool's other connections while it commits.
  const flush = async () => {
    const jobs = batch;
    batch = [];
    const client = await pool.connect();
    try {
      const now = nowSeconds();
      await client.query('begin');
      for (const job of jobs) {
        await client.query({ name: 'touch', text: update, values: [now, job.id] });
        await client.query({ name: 'record', text: record, values: [job.id, `merchant:${key}`, now] });
      }
      await client.query('commit');
      for (const job of jobs) answer(job.response, 200, OK);
    } catch {
      await client.query('rollback').catch(() => undefined);
      for (const job of jobs) answer(job.response, 500, INTERNAL_ERROR);
    } finally {
      client.release();
    }
  };
  const server = signedServer(key, (_fields, _request, response) => {
    // A distinct row per request: the next of its own, whatever the request names.
    if (batch.length === 0) setImmediate(() => void flush());
    batch.push({ id: (counter++ % NAIVE_ROWS) + 1, response });
  });
  await serve(server, () => pool.end());
}

const kind = process.argv[2];
if (kind === 'pg-naive-read') await naiveRead();
else if (kind === 'pg-naive-write') await naiveWrite();
else {
  process.stderr.write(`unknown baseline ${kind}\n`);
  process.exit(2);
}
