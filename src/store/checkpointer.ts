/**
 * The SQLite checkpointer, run in a worker thread (store.ts starts it). A checkpoint copies
 * the WAL back into the database file; left to SQLite it runs inside the COMMIT that
 * crosses the WAL size threshold, on the event loop. After a 100,000-row bulk change that
 * is tens of milliseconds during which no other request is served; here it costs the loop
 * nothing. PASSIVE never waits for, nor blocks, readers or the writer.
 */
import { workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

export interface CheckpointerData {
  file: string;
  intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointerData;
// A connection for each checkpoint, not one held open: the store ends this thread with
// Worker.terminate(), and an open connection left behind by a terminated thread would keep
// SQLite from closing the file for every other connection of the process.
setInterval(() => {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { timeout: 0 });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy or vanished database: the next tick tries again.
  } finally {
    db?.close();
  }
}, intervalMs);
