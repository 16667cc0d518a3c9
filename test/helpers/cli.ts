/** Runs the built `vendcloud` command as a user would, without blocking this process's event loop (the test server lives here). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NewMerchant } from '../../src/service/admin.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any VENDCLOUD_* of the developer's own shell. */
function cleanEnv(env: Record<string, string>): Record<string, string | undefined> {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VENDCLOUD_'))), ...env };
}

export function vendcloud(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  // stdin is a pipe that closes at once: not a terminal, as in a script or CI.
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command (a server) and resolves once its stdout matches `ready`. */
export function startCli(args: string[], ready: RegExp, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  const started = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (ready.test(stdout)) resolve(stdout);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return {
    child,
    started,
    output: () => ({ stdout, stderr }),
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** The environment that points the CLI at a server as a merchant. */
export function merchantEnv(url: string, merchant: NewMerchant): Record<string, string> {
  return {
    VENDCLOUD_URL: url,
    VENDCLOUD_APPID: merchant.appid,
    VENDCLOUD_APPSECRET: merchant.app_secret,
    VENDCLOUD_MERCHANT_ID: String(merchant.merchant_id),
  };
}

/** The one JSON line a --json command prints. */
export function json(result: CliResult): any {
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line, got: ${result.stdout}\nstderr: ${result.stderr}`);
  return JSON.parse(lines[0]!);
}
