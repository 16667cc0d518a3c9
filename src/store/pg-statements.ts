/**
 * PostgreSQL connections that prepare each statement once per connection. Kysely sends
 * every query as an unnamed statement, which PostgreSQL parses and plans again on every
 * request; with PostgreSQL sharing the cores with the service, that work was a large part
 * of each request's cost (issue 13). A client of this class names each distinct SQL text
 * it sees (Kysely's text never holds a value, only `$n` placeholders), so node-postgres
 * parses it once per connection and then only binds and executes it.
 */
import pg from 'pg';

/** Distinct texts that get a name; past it (texts built per request, e.g. `in ($1 … $n)`) they run unnamed. */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `vc${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

export class PreparingClient extends pg.Client {
  override query(...args: any[]): any {
    const [text, values] = args;
    // Only statements with parameters: a text without any (e.g. `begin; savepoint request`)
    // may hold several statements, which only the simple protocol takes.
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && typeof args[2] !== 'function') {
      const name = nameOf(text);
      if (name !== undefined) return (super.query as any)({ name, text, values });
    }
    return (super.query as any)(...args);
  }
}
