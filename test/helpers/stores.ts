/**
 * The stores every test runs against: a real SQLite file always, and PostgreSQL when
 * TEST_DATABASE_URL is set (each test server in its own schema, so runs never collide).
 * Without it the PostgreSQL variants are still declared, and skipped with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Author, type Store, type StoreOptions } from '../../src/store/store.js';
import { needs } from './components.js';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A suite of this store's variant passes it as its `skip` option: false, or why it cannot run here. */
  skip: string | false;
  /** A fresh, empty database: where it is, how to open it, how to remove it. */
  fresh(): Promise<{ db: string; options: StoreOptions; cleanup(): Promise<void> }>;
}

/** The author of a test's own writes (its fixtures, a state set by hand): no request, at time 0. */
export const BY_TEST: Author = { actor: 'test', requestId: null, at: 0 };

let counter = 0;

const sqlite: StoreKind = {
  name: 'sqlite',
  skip: false,
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'vendcloud-test-'));
    return {
      db: join(dir, 'vendcloud.sqlite'),
      options: {},
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * The prefix of every test schema: `t_` and the run's id, which scripts/run-tests.mjs sets and
 * uses to drop this run's schemas (and only these: another run may share the database).
 */
const TEST_SCHEMA_PREFIX = `t_${process.env.VENDCLOUD_TEST_RUN ?? 'x'}_`;

function postgres(url: string | undefined): StoreKind {
  return {
    name: 'postgres',
    skip: needs('postgres').skip,
    async fresh() {
      if (!url) throw new Error('a PostgreSQL store without TEST_DATABASE_URL: the suite should have been skipped');
      const schema = `${TEST_SCHEMA_PREFIX}${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
      return {
        db: url,
        options: { pgSchema: schema },
        // Not dropped here: Kysely's migrator reads the catalogue of every schema, and a
        // schema dropped by one test file while another file migrates makes that read fail.
        async cleanup() {},
      };
    },
  };
}

/** SQLite, then PostgreSQL (skipped, with the reason, where TEST_DATABASE_URL is unset). */
export function storeKinds(): StoreKind[] {
  return [sqlite, postgres(process.env.TEST_DATABASE_URL)];
}

/** Runs `work` on a fresh, migrated store of that kind, then closes and removes it. */
export async function withFreshStore<T>(kind: StoreKind, work: (store: Store, location: { db: string; options: StoreOptions }) => Promise<T>): Promise<T> {
  const location = await kind.fresh();
  try {
    return await withStoreAt(location, (store) => work(store, location));
  } finally {
    await location.cleanup();
  }
}

/** Opens (and migrates) the store at a location, runs `work`, closes it: e.g. while no server runs on it. */
export async function withStoreAt<T>(location: { db: string; options: StoreOptions }, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location.db, location.options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
