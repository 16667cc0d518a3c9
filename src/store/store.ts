/**
 * Opens the database behind vendcloud: a SQLite file (the embedded default) or
 * PostgreSQL (a postgres:// URL), both through Kysely, migrated to the latest schema.
 *
 * Every change of state goes through `store.write(author, change)`: one transaction that
 * commits before the promise resolves, the change handed a `Work` (work.ts) carrying it and
 * its author. On SQLite, writes that arrive in the same turn of the
 * event loop share one transaction and one fsync (group commit), each inside its own
 * savepoint so that one request's failure never undoes another's; on PostgreSQL likewise,
 * with a few batches in flight at once (pg-group-commit.ts). Reads on SQLite use a
 * connection of their own, so they never wait for a write transaction to finish (WAL lets
 * a reader see the last commit while a writer works).
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CheckpointerData } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { PgBatches } from './pg-group-commit.js';
import { PreparingClient } from './pg-statements.js';
import { migrationProvider, type Dialect } from './migrations.js';
import { DirectConnection, DirectSqliteDialect, type DirectUse } from './prepared.js';
import type { Database } from './schema.js';
import { SqliteBatches } from './sqlite-group-commit.js';
import { Work, type Author, type Tx } from './work.js';

export type { Author, Tx, Work };

export interface Store {
  readonly dialect: Dialect;
  /** For reads. Never use it inside `write`'s change: use the Work's transaction. */
  readonly db: Kysely<Database>;
  /** Runs the change, by its author, in the group commit's transaction; resolves after its COMMIT. */
  write<T>(author: Author, change: (work: Work) => Promise<T>): Promise<T>;
  /**
   * Runs the change in a transaction of its own, outside the group commit, on PostgreSQL only
   * (undefined on SQLite, whose one writer it would hold): for a change that holds row locks
   * while it waits for something outside the database (the dispatcher's batch of a machine,
   * held while the broker acknowledges it). Its Work has no bulk-change pause.
   */
  writeAlone?<T>(author: Author, change: (work: Work) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` after each write committed (not after one that failed), with the Work
   * the write's change was given (what it queued), so that the machine link's dispatcher and
   * the callback sender wake after a commit that gave them something. Returns its removal.
   */
  onCommit(listener: (work: Work) => void): () => void;
  /** PostgreSQL's connection pool as it is now (for the metrics); undefined on SQLite. */
  poolState?(): PoolState;
  close(): Promise<void>;
}

export interface PoolState {
  /** Connections open, idle or lent out. */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

/** A store as each dialect opens it, telling `announce` of every committed change. */
type OpenedDialect = Omit<Store, 'onCommit'>;
type Announce = (work: Work) => void;

export interface StoreOptions {
  /** SQLite `synchronous` pragma; FULL (default) makes every answered write survive a power cut. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL schema to use (created if missing); tests give each file its own. */
  pgSchema?: string;
  /** PostgreSQL connections in all, reads and the write batches together (default PG_POOL_SIZE). */
  pgPoolSize?: number;
  /** PostgreSQL write batches in flight at once, each on a connection of its own (default PG_WRITE_BATCHES). */
  pgWriteBatches?: number;
  /** Told the number of writes each group-commit transaction carried, once it committed (the metrics). */
  onBatch?: (size: number) => void;
}

/** Measured with the bench (BENCHMARKS.md, issue 13): more connections only queue in PostgreSQL on this many cores. */
export const PG_POOL_SIZE = 8;
/** Measured likewise: two batches in flight let one run while the other waits for its COMMIT. */
export const PG_WRITE_BATCHES = 2;

/** SQLSTATEs of a connection that is gone or not accepted now: class 08, and a server shutting down or starting. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123])$/;
/** Socket failures on the way to PostgreSQL, and a SQLite file still locked after the busy timeout. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'SQLITE_BUSY']);
/** node-postgres says a connection was lost, or never came, in these words alone, without a code. */
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * Whether the work failed because the database could not be reached just then (a restart,
 * a failover, a terminated connection), so the same request may well succeed when sent
 * again.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_CODES.has(code))) return true;
  return typeof message === 'string' && CONNECTION_LOST.test(message);
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A store and the handle its migrations run on (SQLite's writing connection). */
interface OpenedStore {
  store: OpenedDialect;
  schemaDb: Kysely<Database>;
}

export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  const listeners = new Set<(work: Work) => void>();
  const announce: Announce = (work) => {
    for (const listener of listeners) {
      try {
        listener(work);
      } catch {
        // The write committed; a listener's failure is not the writer's.
      }
    }
  };
  const { store, schemaDb } = isPostgresUrl(location) ? await openPostgres(location, options, announce) : openSqlite(location, options, announce);
  try {
    // Kysely looks for its migration tables in every schema unless told which one; with
    // another schema's tables in sight it skips creating its own and then fails to find them.
    const tableSchema = store.dialect === 'postgres' && options.pgSchema ? { migrationTableSchema: options.pgSchema } : {};
    // Unordered: migrations are numbered on parallel branches, so a database may have run
    // 0003 before the 0002 merged after it; each migration stands on 0001 alone.
    const { error } = await new Migrator({ db: schemaDb, provider: migrationProvider(store.dialect), allowUnorderedMigrations: true, ...tableSchema }).migrateToLatest();
    if (error) throw error;
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    ...store,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** better-sqlite3 does not cache prepared statements; Kysely prepares every query, so cache here. */
function withStatementCache(raw: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(raw, {
    get(target, property) {
      if (property === 'prepare') {
        return (source: string) => {
          let statement = cache.get(source);
          if (!statement) {
            if (cache.size >= 1000) cache.clear();
            statement = target.prepare(source);
            cache.set(source, statement);
          }
          return statement;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function openSqliteConnection(file: string, options: StoreOptions, use: DirectUse): { raw: BetterSqlite3.Database; db: Kysely<Database> } {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.sqliteSynchronous ?? 'FULL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  return { raw, db: new Kysely<Database>({ dialect: new DirectSqliteDialect({ database: withStatementCache(raw) }, new DirectConnection(raw, use)) }) };
}

function openSqlite(file: string, options: StoreOptions, announce: Announce): OpenedStore {
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const { raw, db: writer } = openSqliteConnection(file, options, 'in-transaction');
  // Kysely lends a SQLite connection to one transaction at a time; reads on the writing
  // connection would wait for a bulk write's whole transaction. (A second connection to
  // :memory: would be another, empty database.)
  const reading = inMemory ? { raw, db: writer } : openSqliteConnection(file, options, 'outside-transaction');
  const reader = reading.db;
  let checkpointer: { stop(): Promise<void> } | undefined;
  if (!inMemory) {
    raw.pragma('wal_autocheckpoint = 0');
    // Should the worker ever fail, SQLite checkpoints on the loop again rather than never.
    checkpointer = startCheckpointer(file, () => raw.open && raw.pragma('wal_autocheckpoint = 1000'));
  }
  const batches = new SqliteBatches(writer, inMemory ? {} : { syncWal: () => syncFile(`${file}-wal`) });
  const groupCommit = new GroupCommit(batches, { onBatch: options.onBatch, onCommit: announce });
  return {
    schemaDb: writer,
    store: {
      dialect: 'sqlite',
      db: reader,
      write: (author, change) => groupCommit.submit(author, change),
      async close() {
        await groupCommit.drain();
        await checkpointer?.stop();
        if (reader !== writer) await reader.destroy();
        await writer.destroy();
        // Kysely closes a connection only if it ever used it; an open one would also keep
        // SQLite from releasing the file for the other. The last to close checkpoints what
        // is left and removes the WAL.
        for (const connection of [reading.raw, raw]) if (connection.open) connection.close();
      },
    },
  };
}

/** fsync of a file, in libuv's thread pool: the event loop goes on meanwhile. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+').catch(() => undefined);
  if (!handle) return; // no WAL yet: the COMMIT writes and syncs it itself
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** How often the checkpointer copies the WAL back: often enough that the WAL stays small. */
const CHECKPOINT_INTERVAL_MS = 250;

function startCheckpointer(file: string, onFailure: () => void): { stop(): Promise<void> } {
  const data: CheckpointerData = { file, intervalMs: CHECKPOINT_INTERVAL_MS };
  const worker = new Worker(new URL('./checkpointer.js', import.meta.url), { workerData: data });
  worker.unref();
  worker.on('error', onFailure);
  return {
    async stop() {
      await worker.terminate();
    },
  };
}

async function openPostgres(url: string, options: StoreOptions, announce: Announce): Promise<OpenedStore> {
  const schema = options.pgSchema;
  const pool = new pg.Pool({
    connectionString: url,
    Client: PreparingClient,
    max: options.pgPoolSize ?? PG_POOL_SIZE,
    // Ids, times and counts are bigint; they stay far below 2^53, so read them as numbers.
    types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) } as any,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection the database closed (a restart, a failover, pg_terminate_backend, a proxy's
  // idle timeout) emits 'error', and one nobody listens to would end the process. Idle, the
  // pool drops it and opens a new one when next needed (the pool's 'error'); in use, the
  // work on it fails at its next query and the pool drops it on release (the client's).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    await pool.query(`create schema if not exists ${schema}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const batches = new PgBatches(db, options.pgWriteBatches ?? PG_WRITE_BATCHES);
  const groupCommit = new GroupCommit(batches, { onBatch: options.onBatch, onCommit: announce });
  batches.roomAgain = () => groupCommit.wakeUp();
  return {
    schemaDb: db,
    store: {
      dialect: 'postgres',
      db,
      write: (author, change) => groupCommit.submit(author, change),
      writeAlone: (author, change) => writeAlone(db, author, change, announce),
      poolState: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      async close() {
        await groupCommit.drain();
        await db.destroy();
      },
    },
  };
}

/** A transaction of its own on a pooled connection (Store.writeAlone), announced once committed. */
async function writeAlone<T>(db: Kysely<Database>, author: Author, change: (work: Work) => Promise<T>, announce: Announce): Promise<T> {
  let done: Work | undefined;
  const value = await db.transaction().execute(async (trx) => {
    done = new Work(trx, author, async () => undefined);
    return change(done);
  });
  announce(done!);
  return value;
}
