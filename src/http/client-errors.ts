/**
 * Answers to requests that never became requests: Node's HTTP parser refused them (a bad
 * request line, Content-Length together with chunked, headers over the size limit) or the
 * client did not send them in time. Fastify never sees these, so the answer is written
 * here, by hand, on the socket: a whole HTTP response with the envelope, a request id for
 * the log line, and `Connection: close`, since the rest of the byte stream means nothing.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { failure } from '../protocol/envelope.js';

/** How long the answered connection stays open to drain what the client still sends, so closing it does not reset the answer away. */
const LINGER_MS = 1000;

function answerFor(nodeCode: string | undefined): ApiError {
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError(ErrorCode.REQUEST_TIMEOUT);
  // The protocol calls every malformed request 400 (PROTOCOL.md §3), too-large headers included.
  if (nodeCode === 'HPE_HEADER_OVERFLOW') return new ApiError(ErrorCode.BAD_REQUEST, 'request headers too large');
  return new ApiError(ErrorCode.BAD_REQUEST, 'malformed HTTP request');
}

/** Connections already answered: the parser reports every later chunk as another error. */
const answered = new WeakSet<Socket>();

/** Answers the `clientError` of one connection, then closes it. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket, log: FastifyBaseLogger): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const apiError = answerFor(error.code);
  const requestId = randomUUID();
  log.info({ reqId: requestId, status: apiError.httpStatus, code: apiError.code, clientError: error.code }, 'client error');
  // As Node does: never write into an answer already under way on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(failure(apiError));
    socket.end(
      [
        `HTTP/1.1 ${apiError.httpStatus} ${STATUS_CODES[apiError.httpStatus]}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        `x-request-id: ${requestId}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}
