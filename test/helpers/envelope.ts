/**
 * What every answer of the Open API must be, whatever was asked (PROTOCOL.md §3, §4): the
 * envelope `{code, message, data}` with a code of the catalogue, the catalogue's HTTP status
 * and message, a request id, and nothing of the machinery behind it (no framework error
 * names, no stack, no SQL, no raw control characters echoed back).
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/protocol/errors.js';
import type { RawAnswer } from './raw-http.js';

const MACHINERY = /FST_|fastify|\bat .+:\d+:\d+|stack|SQLITE|sqlite|syntax error|violates|duplicate key|relation "|Client Error|ECONN|TypeError|RangeError/i;
/** C0 and C1 controls, and the bidirectional overrides that make a log line lie. */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** A detail names a field or a reason; anything longer is an echo of the request. */
const MAX_MESSAGE = 200;

/** Why the answer is not a documented envelope, or undefined when it is one. */
export function envelopeProblem(answer: RawAnswer): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `not JSON: ${JSON.stringify(answer.body.slice(0, 200))}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not a JSON object';
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,data,message') return `keys ${keys}, not code,data,message`;
  const { code, message, data } = body as { code: unknown; message: unknown; data: unknown };
  const entry = typeof code === 'number' ? ERROR_CATALOGUE[code as ErrorCode] : undefined;
  if (!entry) return `code ${JSON.stringify(code)} is not in the catalogue`;
  if (answer.status !== entry.httpStatus) return `HTTP ${answer.status} for code ${code}, documented ${entry.httpStatus}`;
  if (typeof message !== 'string' || (message !== entry.message && !message.startsWith(`${entry.message}: `))) {
    return `message ${JSON.stringify(message)} is not the catalogue's for ${code}`;
  }
  if (message.length > MAX_MESSAGE) return `message of ${message.length} characters echoes the request`;
  if (UNSAFE_CHARACTERS.test(message)) return `message ${JSON.stringify(message)} carries control characters`;
  if (code !== 0 && (typeof data !== 'object' || data === null || Array.isArray(data))) return `data of a failure is ${JSON.stringify(data)}`;
  if (code !== 0 && MACHINERY.test(answer.body)) return `the body names the machinery: ${answer.body.slice(0, 300)}`;
  if (!/^application\/json/.test(answer.headers['content-type'] ?? '')) return `Content-Type ${answer.headers['content-type']}`;
  if (!answer.headers['x-request-id']) return 'no x-request-id';
  return undefined;
}
