/**
 * The stores every test runs against: a real SQLite file always, and PostgreSQL when
 * TEST_DATABASE_URL is set (each test server in its own schema, so runs never collide).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreOptions } from '../../src/store/store.js';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database: where it is, how to open it, how to remove it. */
  fresh(): Promise<{ db: string; options: StoreOptions; cleanup(): Promise<void> }>;
}

let counter = 0;

const sqlite: StoreKind = {
  name: 'sqlite',
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

function postgres(url: string): StoreKind {
  return {
    name: 'postgres',
    async fresh() {
      const schema = `t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
      return {
        db: url,
        options: { pgSchema: schema },
        async cleanup() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`drop schema if exists ${schema} cascade`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

export function storeKinds(): StoreKind[] {
  const url = process.env.TEST_DATABASE_URL;
  return url ? [sqlite, postgres(url)] : [sqlite];
}
