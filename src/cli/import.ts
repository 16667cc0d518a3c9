/** `vendcloud import FILE` and `vendcloud export`: moving a fleet in with its ids (docs/import.md). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readImportFile, type ImportProblem } from '../domain/import-file.js';
import { exportFile, type ExportedFile } from '../service/export.js';
import { importFile, ImportRefused, type ImportOutcome, type ImportTally } from '../service/import.js';
import { withStore } from './admin.js';
import { counted, emit, EXIT, fail, parseWholeNumber } from './output.js';

const dbOption = ['--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB)'] as const;

function tallied(tally: ImportTally): string {
  const parts = [
    [tally.merchants, 'merchant'],
    [tally.machines, 'machine'],
    [tally.products, 'product'],
    [tally.pickup_codes, 'pickup code'],
  ] as const;
  return parts.map(([count, noun]) => counted(count, noun)).join(', ');
}

const nothing = (tally: ImportTally) => tally.merchants + tally.machines + tally.products + tally.pickup_codes === 0;

function describe(outcome: ImportOutcome): string {
  if (outcome.dry_run) return `dry run, nothing written\nwould create: ${tallied(outcome.created)}\nwould keep:   ${tallied(outcome.kept)} (stored already, the same)`;
  if (nothing(outcome.created)) return `nothing to import: every record of the file is stored already (kept ${tallied(outcome.kept)})`;
  return `imported: created ${tallied(outcome.created)}\nkept (stored already, the same): ${tallied(outcome.kept)}`;
}

/** The file's problems, listed; nothing was written. */
function refuse(json: boolean, problems: ImportProblem[], why: string): never {
  if (json) process.stdout.write(`${JSON.stringify({ refused: why, problems })}\n`);
  else process.stderr.write(`vendcloud: ${why}, nothing written:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}\n`);
  process.exit(EXIT.USAGE);
}

/** A bar on stderr when it is a terminal; nothing in a pipe or a log. */
function progressBar(): ((inserted: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let shown = -1;
  return (inserted, total) => {
    const percent = Math.floor((inserted * 100) / total);
    if (percent === shown) return;
    shown = percent;
    const filled = Math.round(percent / 5);
    process.stderr.write(`\r  pickup codes [${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${inserted}/${total}${inserted === total ? '\n' : ''}`);
  };
}

function readDocument(path: string, json: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read ${path}: ${(error as Error).message}`, EXIT.USAGE);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    refuse(json, [{ path: '$', message: `not JSON: ${(error as Error).message}` }], 'the file is not valid');
  }
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import merchants, machines, products and pickup codes with their ids (docs/import.md): the whole file or nothing')
    .argument('<file>', 'the JSON file')
    .option('--dry-run', 'print what would be created and kept; write nothing')
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (path: string, options: { dryRun?: boolean; db?: string; json?: boolean }) => {
      const json = options.json === true;
      const reading = readImportFile(readDocument(path, json));
      if (reading.problems) refuse(json, reading.problems, 'the file is not valid');
      const progress = options.dryRun ? undefined : progressBar();
      const outcome = await withStore(options.db, async (store) => {
        try {
          return await importFile(store, reading.file, { dryRun: options.dryRun === true, ...(progress ? { progress } : {}) });
        } catch (error) {
          if (error instanceof ImportRefused) refuse(json, error.problems, 'the file contradicts what is stored');
          throw error;
        }
      });
      emit(json, outcome, () => describe(outcome));
    });
}

/** One record a line: a big export stays readable and diffs well. */
function exportText(file: ExportedFile): string {
  const lists = (Object.keys(file) as Array<keyof ExportedFile>).map((name) => {
    const records = file[name].map((record) => `    ${JSON.stringify(record)}`).join(',\n');
    return `  "${name}": [${records ? `\n${records}\n  ` : ''}]`;
  });
  return `{\n${lists.join(',\n')}\n}\n`;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write merchants, machines, products and pickup codes in the import format (docs/import.md)')
    .option('--merchant <merchant_id>', "only this merchant's records", parseWholeNumber(1))
    .option('--out <file>', 'write here instead of standard output')
    .option('--with-secrets', 'include each merchant\'s webhook secret, the one secret stored in the clear')
    .option(...dbOption)
    .action(async (options: { merchant?: number; out?: string; withSecrets?: boolean; db?: string }) => {
      if (options.withSecrets) {
        process.stderr.write('vendcloud: warning: the export holds webhook secrets in the clear; keep the file as you keep the secrets\n');
      }
      const file = await withStore(options.db, (store) =>
        exportFile(store.db, { ...(options.merchant !== undefined ? { merchantId: options.merchant } : {}), withSecrets: options.withSecrets === true }),
      );
      if (options.merchant !== undefined && file.merchants.length === 0) fail(`no merchant ${options.merchant}`, EXIT.USAGE);
      const text = exportText(file);
      if (options.out) writeFileSync(options.out, text, { mode: 0o600 });
      else process.stdout.write(text);
    });
}
