/**
 * The statements this process sends to its databases while watched: each better-sqlite3
 * statement run and each node-postgres query, recorded on its way to the real driver, which
 * still runs it. A test reads from them what a request asked the database.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export interface SentStatement {
  text: string;
  values: readonly unknown[];
}

export interface StatementWatch {
  readonly sent: SentStatement[];
  /** The statements that read or write `table` with `value` among their parameters. */
  on(table: string, value: unknown): SentStatement[];
  stop(): void;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Wraps `names` of `target` so that each call is recorded by `record` first; returns the undoing. */
function wrap(target: Record<string, Method>, names: string[], record: (self: any, args: unknown[]) => void): () => void {
  const originals = names.map((name) => [name, target[name]!] as const);
  for (const [name, original] of originals) {
    target[name] = function (this: unknown, ...args: unknown[]) {
      record(this, args);
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [name, original] of originals) target[name] = original;
  };
}

export function watchStatements(): StatementWatch {
  const sent: SentStatement[] = [];
  const scratch = new BetterSqlite3(':memory:');
  const sqliteStatement = Object.getPrototypeOf(scratch.prepare('select 1')) as Record<string, Method>;
  scratch.close();
  const undoSqlite = wrap(sqliteStatement, ['run', 'all', 'get', 'iterate'], (statement: { source: string }, args) => {
    sent.push({ text: statement.source, values: Array.isArray(args[0]) ? args[0] : args });
  });
  const undoPg = wrap(pg.Client.prototype as unknown as Record<string, Method>, ['query'], (_client, args) => {
    const [first, second] = args as [unknown, unknown];
    if (typeof first === 'string') sent.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (first && typeof first === 'object' && 'text' in first) sent.push({ text: String(first.text), values: (first as { values?: unknown[] }).values ?? [] });
  });
  return {
    sent,
    on: (table, value) => sent.filter((statement) => statement.text.includes(`"${table}"`) && statement.values.includes(value)),
    stop() {
      undoSqlite();
      undoPg();
    },
  };
}
