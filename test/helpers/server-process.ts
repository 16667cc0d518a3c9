/**
 * vendcloud as an operator runs it: `vendcloud serve` in a child process of its own, over a
 * database that outlives it, so a test can SIGKILL it mid-work and start it again, as a
 * crash and a restart would.
 */
import type { StoreOptions } from '../../src/store/store.js';
import { startCli } from './cli.js';

export interface DatabaseLocation {
  db: string;
  options: StoreOptions;
}

/** The PostgreSQL URL with an application_name, so the server's own connections can be found in pg_stat_activity. */
export function withApplicationName(db: string, applicationName: string): string {
  if (!/^postgres(ql)?:\/\//i.test(db)) return db;
  const url = new URL(db);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

export class ServerProcess {
  private constructor(
    private readonly cli: ReturnType<typeof startCli>,
    /** e.g. http://127.0.0.1:41234 */
    readonly url: string,
  ) {}

  /** Starts `vendcloud serve` on the database (no machine link unless `args` ask for one) and waits until it listens. */
  static async start(location: DatabaseLocation, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
    const schema = location.options.pgSchema ? ['--db-schema', location.options.pgSchema] : [];
    const cli = startCli(['serve', '--db', location.db, ...schema, '--port', '0', '--rate-limit', '0', ...(args.length > 0 ? args : ['--no-mqtt'])], /listening on http:\/\/\S+\/api/, {
      LOG_LEVEL: 'warn',
      ...env,
    });
    const banner = await cli.started;
    return new ServerProcess(cli, /listening on (http:\/\/[^/\s]+)/.exec(banner)![1]!);
  }

  get pid(): number {
    return this.cli.child.pid!;
  }

  /** What the server wrote so far. */
  output(): { stdout: string; stderr: string } {
    return this.cli.output();
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed; resolves once the process is gone. */
  async kill(): Promise<void> {
    const { child } = this.cli;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM: the graceful shutdown. */
  async stop(): Promise<void> {
    await this.cli.stop();
  }
}
