/**
 * How the server's log lines look: JSON lines for machines (log collectors, pipes, files),
 * readable lines for a person at a terminal. LOG_FORMAT=json or pretty chooses; unset, a
 * terminal on stdout gets pretty lines and anything else JSON.
 */
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** `setting` is config.ts's `logFormat` (flag or LOG_FORMAT); unset, the terminal decides. */
export function logFormat(setting: string | undefined, isTerminal = process.stdout.isTTY === true): LogFormat {
  if (setting === undefined || setting === '') return isTerminal ? 'pretty' : 'json';
  if (setting !== 'json' && setting !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, not ${JSON.stringify(setting)}`);
  return setting;
}

/** Fields of the one-line-per-request record (app.ts), folded into the message. */
const REQUEST_FIELDS = ['method', 'url', 'status', 'code', 'ms', 'reqId'];

/** A pretty-printing stream on stdout for `pretty`; undefined (pino's own JSON on stdout) for `json`. */
export function logDestination(format: LogFormat): DestinationStream | undefined {
  if (format === 'json') return undefined;
  return pretty({
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: ['pid', 'hostname', ...REQUEST_FIELDS].join(','),
    messageFormat: (log, messageKey) => {
      const message = String(log[messageKey] ?? '');
      const id = log.reqId === undefined ? '' : ` (${log.reqId})`;
      if (log.method === undefined) return `${message}${id}`;
      const code = log.code === undefined ? '' : ` code ${log.code}`;
      return `${message} ${log.method} ${log.url} → ${log.status}${code} ${log.ms} ms${id}`;
    },
  });
}
