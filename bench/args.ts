/**
 * The command line of `npm run bench` (BENCHMARKS.md lists it): which scenarios, how long,
 * on which store. Bad flags exit 2 with the usage.
 */
import { isPostgresUrl } from '../src/store/store.js';
import type { Settings } from './report.js';
import { SCENARIOS } from './scenarios.js';

export const GROUPS = ['baselines', ...SCENARIOS.map((s) => s.name), 'bulk', 'stall', 'purge', 'scale', 'pg-vs-sqlite', 'fleet', 'metrics'] as const;

export interface Args {
  settings: Settings;
  groups: Set<string>;
  json: boolean;
  /** PostgreSQL to bench vendcloud on; SQLite when unset. */
  db: string | undefined;
  profileDir: string | undefined;
  pgPoolSize: number | undefined;
  pgWriteBatches: number | undefined;
  fleetMachines: number;
}

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench -- [--quick] [--scenario ${GROUPS.join('|')}] [--json] [--db postgres://…] [--seconds N] [--pairs N] [--profile DIR] [--pg-pool-size N] [--pg-write-batches N] [--fleet-machines N]\n`,
  );
  process.exit(2);
}

const QUICK: Settings = { mode: 'quick', seconds: 1, warmupSeconds: 1, pairs: 1, scaleCodes: 100_000, bulkRepeats: 1, scalePairs: 1 };
const FULL: Settings = { mode: 'full', seconds: 5, warmupSeconds: 1, pairs: 5, scaleCodes: 1_000_000, bulkRepeats: 3, scalePairs: 3 };

export function parseArgs(argv: string[]): Args {
  const args: Omit<Args, 'settings'> = { groups: new Set<string>(), json: false, db: undefined, profileDir: undefined, pgPoolSize: undefined, pgWriteBatches: undefined, fleetMachines: 2000 };
  let quick = false;
  let seconds: number | undefined;
  let pairs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    const whole = (text: string) => (/^[1-9][0-9]*$/.test(text) ? Number(text) : usage(`${arg} needs a positive integer`));
    if (arg === '--quick') quick = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--db') args.db = value();
    else if (arg === '--profile') args.profileDir = value();
    else if (arg === '--seconds') seconds = whole(value());
    else if (arg === '--pairs') pairs = whole(value());
    else if (arg === '--pg-pool-size') args.pgPoolSize = whole(value());
    else if (arg === '--pg-write-batches') args.pgWriteBatches = whole(value());
    else if (arg === '--fleet-machines') args.fleetMachines = whole(value());
    else if (arg === '--scenario') {
      for (const name of value().split(',')) {
        if (!(GROUPS as readonly string[]).includes(name)) usage(`unknown scenario ${name}`);
        args.groups.add(name);
      }
    } else usage(`unknown argument ${arg}`);
  }
  if (args.db !== undefined && !isPostgresUrl(args.db)) usage('--db takes a postgres:// URL (SQLite is the default)');
  // autocannon stops on its once-a-second tick, so run lengths are whole seconds.
  const settings: Settings = { ...(quick ? QUICK : FULL), ...(seconds ? { seconds } : {}), ...(pairs ? { pairs } : {}) };
  return { ...args, settings, groups: args.groups.size > 0 ? args.groups : new Set(GROUPS) };
}
