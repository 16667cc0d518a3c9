/**
 * The outside components some tests need, and whether this machine has them. On a machine
 * with only Node (the README's promise) every test that needs an absent one is skipped with
 * the reason and the fix, and scripts/run-tests.mjs counts them at the end. CI is the
 * opposite: it names the components it requires in VENDCLOUD_TEST_REQUIRE, and a run on a
 * machine lacking one fails at once, naming it.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

export type Component = 'postgres' | 'mosquitto' | 'redis' | 'chromium';
export const COMPONENTS: readonly Component[] = ['postgres', 'mosquitto', 'redis', 'chromium'];

/** A program's path on PATH, or undefined. */
export function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Whether something accepts TCP connections at host:port. A closed port answers at once; the
 * time limit is for a host that does not answer, and is generous, since a process busy loading
 * its modules may not see a prompt answer for a while.
 */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Where the browser tests find Chromium: CHROMIUM_PATH, else `chromium` on PATH (.ci/run sets CHROMIUM_PATH the same way). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? onPath('chromium') ?? '/usr/bin/chromium';

/** The shared Redis the tests count under keys of their own. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why each component is missing (undefined when it is here), with what to do about it. */
async function probe(component: Component): Promise<string | undefined> {
  switch (component) {
    case 'postgres':
      return process.env.TEST_DATABASE_URL ? undefined : 'needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';
    case 'mosquitto': {
      if (!onPath('mosquitto') || !onPath('mosquitto_passwd')) return 'needs Mosquitto: mosquitto and mosquitto_passwd not on PATH (apt-get install mosquitto)';
      return (await listening('127.0.0.1', 1883)) ? undefined : 'needs Mosquitto: nothing listens on 127.0.0.1:1883 (start mosquitto)';
    }
    case 'redis': {
      if (!onPath('redis-server')) return 'needs Redis: redis-server not on PATH (apt-get install redis-server)';
      const url = new URL(SHARED_REDIS_URL);
      return (await listening(url.hostname, Number(url.port || 6379))) ? undefined : `needs Redis: nothing listens at ${SHARED_REDIS_URL} (start redis-server or set TEST_REDIS_URL)`;
    }
    case 'chromium':
      return existsSync(CHROMIUM_PATH) ? undefined : `needs Chromium: none at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
}

/** What VENDCLOUD_TEST_REQUIRE names: components whose absence fails the run instead of skipping. */
export function requiredComponents(): Component[] {
  const named = (process.env.VENDCLOUD_TEST_REQUIRE ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = named.filter((name) => !COMPONENTS.includes(name as Component));
  if (unknown.length > 0) throw new Error(`VENDCLOUD_TEST_REQUIRE names unknown components: ${unknown.join(', ')} (known: ${COMPONENTS.join(', ')})`);
  return named as Component[];
}

/** Where scripts/run-tests.mjs hands its one probe to the test files it runs, as JSON. */
export const MISSING_ENV = 'VENDCLOUD_TEST_MISSING';

async function probeAll(): Promise<Array<[Component, string]>> {
  const found = await Promise.all(COMPONENTS.map(async (component) => [component, await probe(component)] as const));
  return found.filter((entry): entry is [Component, string] => entry[1] !== undefined);
}

/**
 * Each component's reason for being absent: probed once by the run and handed to every test
 * file, so all files of a run agree (a file run on its own probes for itself).
 */
export const missing: ReadonlyMap<Component, string> = new Map(
  process.env[MISSING_ENV] !== undefined ? (JSON.parse(process.env[MISSING_ENV]) as Array<[Component, string]>) : await probeAll(),
);

for (const component of requiredComponents()) {
  const why = missing.get(component);
  if (why) throw new Error(`VENDCLOUD_TEST_REQUIRE names ${component}, which this machine lacks: ${why}`);
}

/**
 * The `skip` option of a suite or test that needs these components (or a store variant, which
 * carries its own `skip`): false when all are here, else the reasons (a suite skipped so still
 * counts each of its tests: see ./node-test.ts).
 */
export function needs(...components: Array<Component | { skip: string | false }>): { skip: string | false } {
  const reasons = components
    .map((component) => (typeof component === 'string' ? missing.get(component) : component.skip || undefined))
    .filter((why): why is string => why !== undefined);
  return { skip: reasons.length > 0 ? reasons.join('; ') : false };
}
