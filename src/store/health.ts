/** The database's answer to /healthz: a round trip that resolves when it answers. */
import { sql } from 'kysely';
import type { Store } from './store.js';

export async function pingDatabase(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}
