/**
 * Queries whose shape never changes, built and compiled by Kysely once per dialect and
 * then run with new parameter values. Kysely otherwise rebuilds and recompiles the same
 * SQL on every request, which the profile of the read path showed as its largest cost.
 * The query is still written with Kysely's typed builder; only the repetition is saved.
 *
 * On SQLite the compiled statement is also run directly on the better-sqlite3 connection
 * behind the executor, synchronously: better-sqlite3 runs every statement on this thread
 * anyway, and Kysely's way there (query executor, connection provider, the connection's
 * mutex, a promise per step) cost more than the statements of a hot path themselves
 * (issue 13's profile). PostgreSQL, and any executor not registered here, goes through Kysely.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database>;

/**
 * When a registered connection may be used directly. The writing connection only inside a
 * transaction: there the transaction holds it (group commit runs one job at a time), and
 * outside one Kysely's mutex must order its users. The reading connection only outside a
 * transaction, so a read never joins a transaction someone else opened on it.
 */
export type DirectUse = 'in-transaction' | 'outside-transaction';

const direct = new WeakMap<object, { raw: BetterSqlite3.Database; use: DirectUse }>();

/** Lets prepared queries on this Kysely (and its transactions) run on `raw` directly. */
export function runPreparedDirectly(db: Executor, raw: BetterSqlite3.Database, use: DirectUse): void {
  direct.set(db.getExecutor().adapter, { raw, use });
}

function directConnection(db: Executor): BetterSqlite3.Database | undefined {
  const entry = direct.get(db.getExecutor().adapter);
  if (!entry || db.isTransaction !== (entry.use === 'in-transaction')) return undefined;
  return entry.raw;
}

/** Stands for argument `index` while the query is compiled. */
const placeholder = (index: number) => `\u0000vendcloud-arg-${index}\u0000`;

interface Template<Row> {
  compiled: CompiledQuery<Row>;
  slots: number[];
  /** The statement prepared on each direct connection it ran on. */
  statements: WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>;
}

export function preparedQuery<Args extends unknown[], Row>(build: (db: Executor, ...args: Args) => Compilable<Row>) {
  const templates = new WeakMap<object, Template<Row>>();
  return async (db: Executor, ...args: Args): Promise<Row[]> => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const compiled = build(db, ...(args.map((_, index) => placeholder(index)) as Args)).compile();
      const slots = compiled.parameters.map((value) => args.findIndex((_, index) => value === placeholder(index)));
      // An argument Kysely inlined instead of binding would be silently ignored: refuse.
      if (args.some((_, index) => !slots.includes(index))) throw new Error('preparedQuery: every argument must be a bound parameter');
      template = { compiled, slots, statements: new WeakMap() };
      templates.set(adapter, template);
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot, position) => (slot >= 0 ? args[slot] : compiled.parameters[position]));
    const raw = directConnection(db);
    if (raw) {
      let statement = template.statements.get(raw);
      if (!statement) {
        statement = raw.prepare(compiled.sql);
        template.statements.set(raw, statement);
      }
      // As Kysely's SQLite driver: a statement that returns rows (RETURNING included) is read, any other run.
      if (statement.reader) return statement.all(parameters) as Row[];
      statement.run(parameters);
      return [];
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}

/** A statement without parameters or rows (a savepoint), run as prepared queries are. */
export function fixedStatement(text: string) {
  const viaKysely = sql.raw(text);
  const statements = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();
  return async (db: Executor): Promise<void> => {
    const raw = directConnection(db);
    if (!raw) {
      await viaKysely.execute(db);
      return;
    }
    let statement = statements.get(raw);
    if (!statement) {
      statement = raw.prepare(text);
      statements.set(raw, statement);
    }
    statement.run();
  };
}
