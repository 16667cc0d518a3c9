/** The operator's view of callbacks (docs/callbacks.md): every attempt of an order's callbacks, and a resend by hand. */
import type { Command } from 'commander';
import { DEFAULT_TIME_ZONE } from '../protocol/time.js';
import { AdminInputError, operatorAuthor } from '../service/admin.js';
import { callbacksOfOrder, resendCallback, type CallbackView } from '../service/callbacks.js';
import { Refused } from '../service/refused.js';
import { runChange } from '../service/runner.js';
import { withStore } from './admin.js';
import { emit, parseWholeNumber, table, timeColumn } from './output.js';

const dbOption = ['--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB)'] as const;

function attemptsTable(callbacks: CallbackView[], timeZone: string): string {
  if (callbacks.length === 0) return '(no callbacks)';
  return callbacks
    .map((callback) => {
      const head = `callback ${callback.id}  ${callback.type}  ${callback.state}  ${callback.url}  (event ${callback.event_id}${callback.next_attempt_at ? `, next ${callback.next_attempt_at}` : ''})`;
      if (callback.attempts.length === 0) return `${head}\n  (not sent yet)`;
      const rows = callback.attempts.map((a) => [String(a.attempt), a.at ?? '-', a.outcome, a.http_status === undefined ? '-' : String(a.http_status), `${a.latency_ms} ms`, a.error ?? '']);
      return `${head}\n${table(['ATTEMPT', timeColumn('AT', timeZone), 'OUTCOME', 'STATUS', 'LATENCY', 'ERROR'], rows).replace(/^/gm, '  ')}`;
    })
    .join('\n');
}

export function registerCallbackCommands(program: Command): void {
  const callbacks = program.command('callbacks').description('callbacks and webhooks: attempts, resend');
  callbacks
    .command('list')
    .description("an order's callbacks (notify_url and merchant events) with every attempt")
    .requiredOption('--order <order_id>', 'order id', parseWholeNumber(1))
    .option('--time-zone <zone>', 'platform time zone', DEFAULT_TIME_ZONE)
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { order: number; timeZone: string; db?: string; json?: boolean }) => {
      const found = await withStore(options.db, (store) => callbacksOfOrder(store.db, options.order, options.timeZone));
      emit(!!options.json, found, () => attemptsTable(found, options.timeZone));
    });
  callbacks
    .command('resend')
    .description('send a callback again now, on a fresh schedule (also one that gave up)')
    .argument('<callback_id>', 'callback id (from callbacks list)', parseWholeNumber(1))
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (callbackId: number, options: { db?: string; json?: boolean }) => {
      await withStore(options.db, async (store) => {
        try {
          await runChange(store, operatorAuthor(), (work) => resendCallback(work, callbackId));
        } catch (error) {
          if (error instanceof Refused) throw new AdminInputError(`no callback ${callbackId}`);
          throw error;
        }
      });
      emit(!!options.json, { callback_id: callbackId, queued: true }, () => `callback ${callbackId} queued; a running server sends it within a second`);
    });
}
