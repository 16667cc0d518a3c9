/**
 * What the naive servers share (bench/servers/baseline.ts on SQLite, pg-baseline.ts on
 * PostgreSQL): their arguments, the plain node:http answer, and the signed request's check
 * (decode the base64 payload, verify the MD5 signature with the project's protocol module).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { decodePayload, type Payload } from '../../src/protocol/payload.js';
import { verifySignature } from '../../src/protocol/signature.js';
import { serveAsChild } from '../processes.js';

export const OK = '{"code":0,"message":"ok","data":{}}';
const SIGN_INVALID = '{"code":10002,"message":"sign is invalid","data":{}}';
const BAD_REQUEST = '{"code":400,"message":"Bad Request","data":{}}';
export const INTERNAL_ERROR = '{"code":500,"message":"Internal Server Error","data":{}}';

/** Rows of the naive writers' table: each write updates the next one of its own. */
export const NAIVE_ROWS = 100_000;
/** The naive readers' machine: the queried product has 5 live codes among 1,000. */
export const READ_MACHINE_CODES = 1_000;
export const READ_PRODUCT_CODES = 5;

export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

export function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function readBody(request: IncomingMessage, done: (body: string) => void): void {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => done(body));
}

/** The product id of a query's path, as vendcloud's route reads it. */
export function productOf(request: IncomingMessage): number {
  return Number(/\/products\/([0-9]+)\//.exec(request.url ?? '')?.[1]);
}

/**
 * A server whose every request is a signed payload: `handle` gets the verified fields; a bad
 * signature or a malformed body gets its envelope here.
 */
export function signedServer(key: string, handle: (fields: Payload, request: IncomingMessage, response: ServerResponse) => void) {
  return createServer((request, response) =>
    readBody(request, (body) => {
      try {
        const fields = decodePayload((JSON.parse(body) as { payload: string }).payload);
        if (!verifySignature(fields, key)) return answer(response, 401, SIGN_INVALID);
        handle(fields, request, response);
      } catch {
        answer(response, 400, BAD_REQUEST);
      }
    }),
  );
}

/** Listens on a free loopback port and tells the harness; `close` runs after the server closed. */
export async function serve(server: ReturnType<typeof createServer>, close: () => Promise<void> | void = () => undefined): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  serveAsChild(typeof address === 'object' && address ? address.port : 0, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await close();
  });
}
