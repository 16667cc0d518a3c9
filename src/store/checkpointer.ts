/**
 * The SQLite checkpointer, run in a worker thread (store.ts starts it). A checkpoint copies
 * the WAL back into the database file; left to SQLite it runs inside the COMMIT that
 * crosses the WAL size threshold, on the event loop. After a 100,000-row bulk change that
 * is tens of milliseconds during which no other request is served; here it costs the loop
 * nothing. PASSIVE never waits for, nor blocks, readers or the writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

export interface CheckpointerData {
  file: string;
  intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointerData;
const db = new BetterSqlite3(file);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy or closing database: the next tick tries again.
  }
}, intervalMs);

parentPort!.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.postMessage('closed');
});
