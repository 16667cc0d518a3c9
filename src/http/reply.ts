/**
 * The one place where an answer becomes bytes: the envelope `{code, message, data}` as
 * JSON text (PROTOCOL.md §3), with the protobuf habit of leaving zero values out of `data`.
 * Idempotent writes store this text and send it again byte for byte, so every answer,
 * fresh or repeated, success or failure, leaves through `sendAnswer`.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/** Items of a long list turned into text at a time: one slice holds the event loop for a few milliseconds. */
const SLICE = 2000;

/**
 * `successAnswer`, the same text, for data that may hold a long list: a create of 100,000
 * codes answers every code, 11 MB of JSON, whose making in one go held every other
 * merchant's request for 150 ms or more. A top-level list longer than a slice is made a
 * slice at a time, with a turn of the event loop between slices.
 */
export async function successAnswerInSlices(data: unknown): Promise<Answer> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return successAnswer(data);
  const long = Object.entries(data).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]) && entry[1].length > SLICE);
  if (long.length === 0) return successAnswer(data);
  // Each long list stands in as a one-item list holding a text no answer can contain, then that slot is filled.
  const slot = (name: string) => [`\u0000${name}`];
  const answer = successAnswer({ ...data, ...Object.fromEntries(long.map(([name]) => [name, slot(name)])) });
  let text = answer.text;
  for (const [name, list] of long) {
    const parts: string[] = [];
    for (let start = 0; start < list.length; start += SLICE) {
      parts.push(JSON.stringify(omitEmpty(list.slice(start, start + SLICE))).slice(1, -1));
      await nextTurn();
    }
    text = text.replace(JSON.stringify(slot(name)), () => `[${parts.join(',')}]`);
  }
  return { ...answer, text };
}

/** `items.map(view)` a slice at a time, with a turn of the event loop between slices (see above). */
export async function mapInSlices<T, U>(items: readonly T[], view: (item: T) => U): Promise<U[]> {
  const out: U[] = [];
  for (let start = 0; start < items.length; start += SLICE) {
    if (start > 0) await nextTurn();
    for (const item of items.slice(start, start + SLICE)) out.push(view(item));
  }
  return out;
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
