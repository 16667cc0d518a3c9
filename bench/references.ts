/**
 * The servers a scenario is measured against, pair by pair: bare node:http (a), or the least
 * code doing the same work on the run's store: on SQLite (d) the naive signed read and (e)
 * the naive signed write with group commit (servers/baseline.ts); on PostgreSQL (f) and (g),
 * the same through `pg` (servers/pg-baseline.ts), with their backends' CPU counted.
 */
import { backendProbe, applicationName, type BackendProbe } from './pg-backends.js';
import { startChild, type ServerChild } from './processes.js';
import type { Scenario } from './scenarios.js';
import { freshLocation, scratchFile, type Fixture } from './seed.js';

export type Reference = 'bare' | 'naive-read' | 'naive-write' | 'pg-naive-read' | 'pg-naive-write';

export const REFERENCE_NAMES: Record<Reference, string> = {
  bare: '(a) bare',
  'naive-read': '(d) naive read',
  'naive-write': '(e) naive write',
  'pg-naive-read': '(f) naive read, pg',
  'pg-naive-write': '(g) naive write, pg',
};

/** The scenario's reference on the run's store (PostgreSQL when `pgUrl` is given). */
export function referenceOf(scenario: Scenario, pgUrl: string | undefined): Reference {
  if (scenario.work === undefined) return 'bare';
  if (pgUrl) return scenario.work === 'read' ? 'pg-naive-read' : 'pg-naive-write';
  return scenario.work === 'read' ? 'naive-read' : 'naive-write';
}

/** A server child under test and, on PostgreSQL, what finds its backends. */
export interface RunningServer {
  child: ServerChild;
  backends?: BackendProbe;
}

/** Starts the reference in its own process, on its own table of the run's store. */
export async function startReference(reference: Reference, fixture: Fixture, pgUrl: string | undefined): Promise<RunningServer> {
  const key = ['--key', String(fixture.merchantId)];
  const product = ['--product', String(fixture.query.productId)];
  const name = REFERENCE_NAMES[reference];
  if (reference === 'bare') return { child: await startChild(name, 'baseline', ['bare']) };
  if (reference === 'naive-read') return { child: await startChild(name, 'baseline', [reference, ...key, ...product, '--db', scratchFile('naive-read.sqlite')]) };
  if (reference === 'naive-write') return { child: await startChild(name, 'baseline', [reference, ...key, '--db', scratchFile('naive-write.sqlite')]) };
  const { pgSchema } = freshLocation(pgUrl, reference);
  const app = applicationName(reference);
  const args = [reference, ...key, ...product, '--db', pgUrl!, '--schema', pgSchema!, '--app', app];
  return { child: await startChild(name, 'pg-baseline', args), backends: backendProbe(pgUrl!, app) };
}
