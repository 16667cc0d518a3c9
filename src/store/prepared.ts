/**
 * Queries whose shape never changes, built and compiled by Kysely once per dialect and
 * then run with new parameter values. Kysely otherwise rebuilds and recompiles the same
 * SQL on every request, which the profile of the read path showed as its largest cost.
 * The query is still written with Kysely's typed builder; only the repetition is saved.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database>;

/** Stands for argument `index` while the query is compiled. */
const placeholder = (index: number) => `\u0000vendcloud-arg-${index}\u0000`;

export function preparedQuery<Args extends unknown[], Row>(build: (db: Executor, ...args: Args) => Compilable<Row>) {
  const templates = new WeakMap<object, { compiled: CompiledQuery<Row>; slots: number[] }>();
  return async (db: Executor, ...args: Args): Promise<Row[]> => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const compiled = build(db, ...(args.map((_, index) => placeholder(index)) as Args)).compile();
      const slots = compiled.parameters.map((value) => args.findIndex((_, index) => value === placeholder(index)));
      // An argument Kysely inlined instead of binding would be silently ignored: refuse.
      if (args.some((_, index) => !slots.includes(index))) throw new Error('preparedQuery: every argument must be a bound parameter');
      template = { compiled, slots };
      templates.set(adapter, template);
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot, position) => (slot >= 0 ? args[slot] : compiled.parameters[position]));
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
