import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

/** The server's pino logger (or a silent one), shared with the link. */
export type LinkLogger = Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export function linkLogger(logger: FastifyBaseLogger | false | undefined): LinkLogger {
  return logger ? logger.child({ part: 'link' }) : pino({ level: 'silent' });
}
