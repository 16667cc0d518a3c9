/**
 * The original platform's client libraries as merchants run them, to sign requests and to
 * check the callbacks vendcloud sends (issue 26). kit.js is a devDependency; the Go and PHP
 * libraries are not vendored: each is used from a checkout named by an environment variable
 * (docs/testing.md, "The merchants' own libraries"), and is skipped, naming the variable,
 * when it is absent. The programs that drive them are test/libraries/*.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Signatory } from '@cakioe/kit.js';

export interface MerchantLibrary {
  name: string;
  /** Signs the fields as the library signs a request (`timestamp` included). */
  sign(fields: Record<string, string>, key: string): Promise<string>;
  /** Whether the library's CheckSignature accepts each body, decoded as the language decodes JSON. */
  check(bodies: string[], key: string): Promise<boolean[]>;
}

/** A library that cannot run here, and why. */
export interface AbsentLibrary {
  name: string;
  skip: string;
}

const LIBRARIES_DIR = fileURLToPath(new URL('../../../test/libraries/', import.meta.url));

type Job = { sign: Record<string, string> } | { check: string };

/** Runs a program that reads `{key, jobs}` on stdin and prints one JSON array. */
function runJobs(command: string, args: string[], key: string, jobs: Job[], env: NodeJS.ProcessEnv = process.env): Promise<unknown[]> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(JSON.stringify({ key, jobs }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      resolve(JSON.parse(stdout) as unknown[]);
    });
  });
}

function viaProgram(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): MerchantLibrary {
  return {
    name,
    async sign(fields, key) {
      return (await runJobs(command, args, key, [{ sign: fields }], env))[0] as string;
    },
    async check(bodies, key) {
      return (await runJobs(command, args, key, bodies.map((check) => ({ check })), env)) as boolean[];
    },
  };
}

export const kitJs: MerchantLibrary = {
  name: '@cakioe/kit.js 1.5.2',
  async sign(fields, key) {
    return new Signatory(key).genSignature({ ...fields });
  },
  async check(bodies, key) {
    return bodies.map((body) => {
      const decoded = JSON.parse(body) as Record<string, unknown>;
      return new Signatory(key).checkSignature(decoded, String(decoded.sign));
    });
  },
};

/** dsjsdz/signatory from VENDCLOUD_SIGNATORY_PHP_DIR, run by `php`. */
export function phpSignatory(): MerchantLibrary | AbsentLibrary {
  const name = 'PHP dsjsdz/signatory';
  const dir = process.env.VENDCLOUD_SIGNATORY_PHP_DIR;
  if (!dir) return { name, skip: 'VENDCLOUD_SIGNATORY_PHP_DIR is not set (a checkout of dsjsdz/signatory)' };
  if (!existsSync(join(dir, 'src', 'Signatory.php'))) return { name, skip: `VENDCLOUD_SIGNATORY_PHP_DIR=${dir} has no src/Signatory.php` };
  return viaProgram(name, 'php', [join(LIBRARIES_DIR, 'signatory-check.php'), dir]);
}

let pansyBuild: Promise<string> | undefined;

/**
 * go-pansy/pansy from VENDCLOUD_PANSY_DIR (its tag's name as it says, e.g. v1.1.1), built
 * offline with test/libraries/pansy-check.go. Only its signatory.go is compiled, unchanged
 * but for its JSON codec (bytedance/sonic, which its signing does not use, replaced by
 * encoding/json, whose Marshal and Unmarshal it mirrors), so no module is downloaded.
 */
export async function goPansy(): Promise<MerchantLibrary | AbsentLibrary> {
  const dir = process.env.VENDCLOUD_PANSY_DIR;
  const name = 'Go go-pansy/pansy';
  if (!dir) return { name, skip: 'VENDCLOUD_PANSY_DIR is not set (a checkout of go-pansy/pansy v1.1.1)' };
  if (!existsSync(join(dir, 'signatory.go'))) return { name, skip: `VENDCLOUD_PANSY_DIR=${dir} has no signatory.go` };
  pansyBuild ??= buildPansyCheck(dir);
  try {
    return viaProgram(`${name} (${dir})`, await pansyBuild, []);
  } catch (error) {
    return { name, skip: `cannot build against VENDCLOUD_PANSY_DIR=${dir}: ${(error as Error).message}` };
  }
}

async function buildPansyCheck(dir: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'vendcloud-pansy-'));
  mkdirSync(join(work, 'pansy'));
  writeFileSync(join(work, 'go.mod'), 'module vendcloudtest\n\ngo 1.18\n');
  const signatory = readFileSync(join(dir, 'signatory.go'), 'utf8').replace('"github.com/bytedance/sonic"', 'sonic "encoding/json"');
  writeFileSync(join(work, 'pansy', 'signatory.go'), signatory);
  copyFileSync(join(LIBRARIES_DIR, 'pansy-check.go'), join(work, 'main.go'));
  const binary = join(work, 'pansy-check');
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOWORK: 'off', GOTOOLCHAIN: 'local' };
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['build', '-o', binary, '.'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`go build exited ${code}: ${stderr.trim()}`))));
  });
  return binary;
}
