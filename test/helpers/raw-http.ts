/**
 * HTTP spoken by hand on a socket: a test can send what no well-behaved client library would
 * (control characters in a header, a path that does not decode, any bytes as a body) and
 * read whatever comes back, even an answer that is not HTTP a library would accept.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** The request target as sent, bytes included (no encoding is applied). */
  target: string;
  headers: Array<[string, string]>;
  body?: Buffer | string;
}

/** The bytes of one request, closing the connection after it; Content-Length counted unless given. */
export function requestBytes(request: RawRequest): Buffer {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  const headers = [...request.headers];
  if (!headers.some(([name]) => name.toLowerCase() === 'connection')) headers.push(['Connection', 'close']);
  if (body !== undefined && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1', ...headers.map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
  // latin1 keeps each char of the head one byte, as a hand-written request would be.
  return Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]);
}

/** Longer than any answer takes on loopback: past it the server has left a request hanging. */
const ANSWER_TIMEOUT_MS = 20_000;
/** When a client that declared more than it sent stops sending. */
const GIVE_UP_SENDING_MS = 2000;

/** Sends the bytes on a fresh connection and reads the one answer, until the server closes it. */
export function rawRequest(baseUrl: string, bytes: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Not half-closed at once: Node's server drops the answer of a request whose client
    // ended its side first. Only a request the server still waits on is ended, later.
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const giveUp = setTimeout(() => socket.end(), GIVE_UP_SENDING_MS);
    socket.once('close', () => clearTimeout(giveUp));
    socket.setTimeout(ANSWER_TIMEOUT_MS, () => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms to ${JSON.stringify(bytes.subarray(0, 120).toString('latin1'))}`));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the request is still being written (an oversized body):
    // a reset then is its way of ending, and what arrived before it is the answer.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      try {
        resolve(parseAnswer(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseAnswer(bytes: Buffer): RawAnswer {
  // An interim answer (100 Continue) comes before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 13).toString('latin1'))) bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!status) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  let body = bytes.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
