/**
 * The CPU that PostgreSQL's backends spend for a server under test. PostgreSQL runs on the
 * same cores, so on PostgreSQL a request's cost is the server's CPU plus its backends'. A
 * server child's connections carry an application_name of their own (set here, through the
 * URL or the naive servers' `--app`); its backends are the rows of pg_stat_activity with that
 * name in its database, and each one's CPU is read from /proc like the server's.
 */
import pg from 'pg';
import { cpuSecondsOf } from './processes.js';

/** What reads the backends' CPU of one server child. */
export interface BackendProbe {
  /** CPU so far of each backend serving the child, seconds, by pid. */
  read(): Promise<Map<number, number>>;
}

/** A name unique to this run and this server, for its connections' application_name. */
export function applicationName(who: string): string {
  return `vc-bench-${process.pid}-${who.replace(/[^a-z0-9]+/gi, '-')}`;
}

/** The URL with the application_name its connections will carry. */
export function namedUrl(url: string, application: string): string {
  const named = new URL(url);
  named.searchParams.set('application_name', application);
  return named.toString();
}

export function backendProbe(url: string, application: string): BackendProbe {
  return {
    async read() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1 and datname = current_database()', [application]);
        return new Map(rows.map((row) => [row.pid, cpuSecondsOf(row.pid) ?? 0]));
      } finally {
        await client.end();
      }
    },
  };
}

/** What the backends spent between two readings, seconds (one opened meanwhile counts whole; one closed meanwhile is lost). */
export function backendsSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, cpu] of after) spent += cpu - (before.get(pid) ?? 0);
  return spent;
}
