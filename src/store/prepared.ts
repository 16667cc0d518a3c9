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
 * (issue 13's profile). PostgreSQL, and any SQLite executor opened without a direct connection,
 * goes through Kysely.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { PostgresAdapter, SqliteAdapter, SqliteDialect, sql, type Compilable, type CompiledQuery, type Kysely, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database>;

/**
 * When a connection may be used directly. The writing connection only inside a transaction:
 * there the transaction holds it (group commit runs one job at a time), and outside one
 * Kysely's mutex must order its users. The reading connection only outside a transaction, so
 * a read never joins a transaction someone else opened on it.
 */
export type DirectUse = 'in-transaction' | 'outside-transaction';

/** A better-sqlite3 connection that prepared queries may run on directly, with the statements prepared on it. */
export class DirectConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly raw: BetterSqlite3.Database,
    readonly use: DirectUse,
  ) {}

  /** The statement of this text, prepared once on this connection (the texts are the prepared queries', a fixed few). */
  prepare(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.raw.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

/** SQLite's adapter, holding the direct connection of the Kysely it belongs to (and of that Kysely's transactions). */
class DirectSqliteAdapter extends SqliteAdapter {
  constructor(readonly direct: DirectConnection) {
    super();
  }
}

/** Kysely's SQLite dialect whose prepared queries may run on `direct` (see DirectUse). */
export class DirectSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly direct: DirectConnection,
  ) {
    super(config);
  }

  override createAdapter(): SqliteAdapter {
    return new DirectSqliteAdapter(this.direct);
  }
}

function directConnection(db: Executor): DirectConnection | undefined {
  const adapter = db.getExecutor().adapter;
  if (!(adapter instanceof DirectSqliteAdapter) || db.isTransaction !== (adapter.direct.use === 'in-transaction')) return undefined;
  return adapter.direct;
}

/** Stands for argument `index` while the query is compiled. */
const placeholder = (index: number) => `\u0000vendcloud-arg-${index}\u0000`;

interface Template<Row> {
  compiled: CompiledQuery<Row>;
  slots: number[];
}

type DialectName = 'sqlite' | 'postgres';

export function preparedQuery<Args extends unknown[], Row>(build: (db: Executor, ...args: Args) => Compilable<Row>) {
  /** The query compiled once per dialect: its text depends on nothing else. */
  const templates: Partial<Record<DialectName, Template<Row>>> = {};
  return async (db: Executor, ...args: Args): Promise<Row[]> => {
    const dialect: DialectName = db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
    let template = templates[dialect];
    if (!template) {
      const compiled = build(db, ...(args.map((_, index) => placeholder(index)) as Args)).compile();
      const slots = compiled.parameters.map((value) => args.findIndex((_, index) => value === placeholder(index)));
      // An argument Kysely inlined instead of binding would be silently ignored: refuse.
      if (args.some((_, index) => !slots.includes(index))) throw new Error('preparedQuery: every argument must be a bound parameter');
      template = { compiled, slots };
      templates[dialect] = template;
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot, position) => (slot >= 0 ? args[slot] : compiled.parameters[position]));
    const direct = directConnection(db);
    if (direct) {
      const statement = direct.prepare(compiled.sql);
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
  return async (db: Executor): Promise<void> => {
    const direct = directConnection(db);
    if (direct) direct.prepare(text).run();
    else await viaKysely.execute(db);
  };
}
