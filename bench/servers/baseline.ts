/**
 * The baselines vendcloud is measured against, each answering
 * `{"code":0,"message":"ok","data":{}}` to any POST or PUT:
 *   bare     node:http, reading the body and answering: the ceiling of any Node server here;
 *   fastify  Fastify with one route, logger off: the framework's ceiling;
 *   naive    what a quick hand-rolled signed write costs: decode the base64 payload, verify
 *            the MD5 signature (the project's protocol module), run one prepared UPDATE on
 *            a 100,000-row SQLite table in WAL mode, one transaction (and fsync) per request.
 * And the least code that does the hot paths' work on SQLite (issue 13), the yardsticks of
 * query, cancel one and consume (pg-baseline.ts holds PostgreSQL's, (f) and (g)):
 *   naive-read   (d) decode, MD5 verify, ONE prepared better-sqlite3 SELECT of the product's
 *                live codes (the product id from the path, as vendcloud's query route), JSON out;
 *   naive-write  (e) decode, MD5 verify, one UPDATE of a distinct code and one history INSERT
 *                per request; the writes of one event-loop turn in one transaction (one fsync)
 *                at synchronous=FULL, each answered after its COMMIT: group commit, bare.
 *
 * Usage: node baseline.js bare|fastify|naive|naive-read|naive-write [--synchronous FULL|NORMAL]
 *        [--key MERCHANT_ID] [--db FILE] [--product ID]
 */
import { createServer, type ServerResponse } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { serveAsChild } from '../processes.js';
import { answer, INTERNAL_ERROR, NAIVE_ROWS, OK, option, productOf, READ_MACHINE_CODES, READ_PRODUCT_CODES, readBody, serve, signedServer } from './naive-http.js';

async function bare(): Promise<void> {
  await serve(createServer((request, response) => readBody(request, () => answer(response, 200, OK))));
}

async function fastify(): Promise<void> {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.route({ method: ['POST', 'PUT'], url: '/*', handler: async (_request, reply) => reply.type('application/json; charset=utf-8').send(OK) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  serveAsChild(typeof address === 'object' && address ? address.port : 0, () => app.close());
}

function openNaiveTable(file: string, synchronous: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec('create table if not exists accounts (id integer primary key, balance integer not null, updated_at integer not null)');
  const { count } = db.prepare('select count(*) as count from accounts').get() as { count: number };
  if (count < NAIVE_ROWS) {
    db.exec(`with recursive n(i) as (select ${count + 1} union all select i + 1 from n where i < ${NAIVE_ROWS})
             insert into accounts (id, balance, updated_at) select i, 0, 0 from n`);
  }
  return db;
}

async function naive(): Promise<void> {
  const db = openNaiveTable(option('--db', 'naive.sqlite'), option('--synchronous', 'FULL'));
  const update = db.prepare('update accounts set balance = balance + 1, updated_at = ? where id = ?');
  let counter = 0;
  const server = signedServer(option('--key', '1'), (fields, _request, response) => {
    const id = Number(fields.id) || (counter++ % NAIVE_ROWS) + 1;
    update.run(Math.floor(Date.now() / 1000), ((id - 1) % NAIVE_ROWS) + 1);
    answer(response, 200, OK);
  });
  await serve(server, () => {
    db.close();
  });
}

/** A machine's codes as vendcloud keeps them: `product` has 5 live codes among 1,000. */
function openReadTable(file: string, product: number): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec(`create table if not exists codes (id integer primary key, product_id integer not null, code text not null, status text not null,
             quantity integer not null, expired_at integer, created_at integer not null);
           create index if not exists codes_by_product on codes (product_id, status, id)`);
  const { count } = db.prepare('select count(*) as count from codes').get() as { count: number };
  if (count === 0) {
    const insert = db.prepare("insert into codes (product_id, code, status, quantity, expired_at, created_at) values (?, ?, 'UNUSED', 1, null, 0)");
    db.transaction(() => {
      for (let i = 0; i < READ_MACHINE_CODES; i++) insert.run(i < READ_PRODUCT_CODES ? product : product + 1, String(10_000_000 + i));
    })();
  }
  return db;
}

async function naiveRead(): Promise<void> {
  const db = openReadTable(option('--db', 'naive-read.sqlite'), Number(option('--product', '1')));
  const live = db.prepare("select * from codes where product_id = ? and status = 'UNUSED' and (expired_at is null or expired_at > ?) order by id");
  const server = signedServer(option('--key', '1'), (_fields, request, response) => {
    const list = live.all(productOf(request), Math.floor(Date.now() / 1000));
    answer(response, 200, `{"code":0,"message":"ok","data":${JSON.stringify({ list })}}`);
  });
  await serve(server, () => {
    db.close();
  });
}

async function naiveWrite(): Promise<void> {
  const key = option('--key', '1');
  const db = openNaiveTable(option('--db', 'naive-write.sqlite'), 'FULL');
  db.exec('create table if not exists history (id integer primary key, account_id integer not null, action text not null, actor text not null, at integer not null)');
  const update = db.prepare('update accounts set balance = balance + 1, updated_at = ? where id = ?');
  const record = db.prepare("insert into history (account_id, action, actor, at) values (?, 'cancel', ?, ?)");
  let counter = 0;
  let batch: Array<{ id: number; response: ServerResponse }> = [];
  // The writes of one turn, in one transaction: one fsync for all of them, each answered after it.
  const commit = db.transaction((jobs: typeof batch, now: number) => {
    for (const job of jobs) {
      update.run(now, job.id);
      record.run(job.id, `merchant:${key}`, now);
    }
  });
  const flush = () => {
    const jobs = batch;
    batch = [];
    try {
      commit(jobs, Math.floor(Date.now() / 1000));
      for (const job of jobs) answer(job.response, 200, OK);
    } catch {
      for (const job of jobs) answer(job.response, 500, INTERNAL_ERROR);
    }
  };
  const server = signedServer(key, (_fields, _request, response) => {
    // A distinct row per request: the next of its own, whatever the request names.
    if (batch.length === 0) setImmediate(flush);
    batch.push({ id: (counter++ % NAIVE_ROWS) + 1, response });
  });
  await serve(server, () => {
    db.close();
  });
}

const kind = process.argv[2];
if (kind === 'bare') await bare();
else if (kind === 'fastify') await fastify();
else if (kind === 'naive') await naive();
else if (kind === 'naive-read') await naiveRead();
else if (kind === 'naive-write') await naiveWrite();
else {
  process.stderr.write(`unknown baseline ${kind}\n`);
  process.exit(2);
}
