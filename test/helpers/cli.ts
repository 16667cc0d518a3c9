/** Runs the built `vendcloud` command as a user would, without blocking this process's event loop (the test server lives here). */
import { spawn } from 'node:child_process';
import type { NewMerchant } from '../../src/service/admin.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function vendcloud(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VENDCLOUD_')));
  const child = spawn(process.execPath, ['dist/src/cli/main.js', ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
