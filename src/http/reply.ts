/**
 * The one place where an answer becomes bytes: the envelope `{code, message, data}` as
 * JSON text (PROTOCOL.md §3), with the protobuf habit of leaving zero values out of `data`.
 * Idempotent writes store this text and send it again byte for byte, so every answer,
 * fresh or repeated, success or failure, leaves through `sendAnswer`.
 */
import type { FastifyReply } from 'fastify';
import { ErrorCode, type ApiError } from '../protocol/errors.js';
import { failure, omitEmpty, success } from '../protocol/envelope.js';

/** A serialised envelope and the code inside it (for the request's log line). */
export interface Answer {
  httpStatus: number;
  code: number;
  text: string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** The envelope code sent, for the request's log line. */
    apiCode?: number;
  }
}

export function successAnswer(data: unknown): Answer {
  return { httpStatus: 200, code: ErrorCode.OK, text: JSON.stringify(success(omitEmpty(data))) };
}

export function failureAnswer(error: ApiError): Answer {
  return { httpStatus: error.httpStatus, code: error.code, text: JSON.stringify(failure(error)) };
}

export function sendAnswer(reply: FastifyReply, answer: Answer): FastifyReply {
  reply.apiCode = answer.code;
  return reply.code(answer.httpStatus).type('application/json; charset=utf-8').send(answer.text);
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return sendAnswer(reply, failureAnswer(error));
}
