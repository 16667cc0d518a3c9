/**
 * One POST to a merchant's URL, guarded against SSRF (docs/callbacks.md, "Where callbacks may go"): the host is resolved here, every address it resolves to is checked, and the socket
 * connects to the checked address itself (node:http's `lookup` hook answers with it), so a
 * second resolution cannot swap in another address between check and connect. TLS still
 * verifies the certificate for the host name. Redirects are not followed (node:http never
 * does), and a 3xx is not a 2xx.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress, refusedCallbackUrl } from '../domain/callback-targets.js';

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** A target the guard refused: no connection was made. */
export class RefusedTarget extends Error {
  override name = 'RefusedTarget';
}

/**
 * A target refused for the kind of address it is: the one refusal an operator may lift. The
 * message is what `callbacks list`, the console and the log show, so it names the flag.
 */
function refusedAddressKind(what: string): RefusedTarget {
  return new RefusedTarget(`${what}: callbacks to loopback and private addresses are refused unless the server runs with --allow-private-callbacks`);
}

/** How much of an answer is read (then dropped): a receiver cannot make the sender buffer more. */
const MAX_ANSWER_BYTES = 64 * 1024;

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

/** The one address to connect to, after checking every address the host has. */
async function checkedAddress(host: string, allowPrivate: boolean): Promise<LookupAddress> {
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolveAll(host);
  if (addresses.length === 0) throw new RefusedTarget(`${host} resolves to no address`);
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const reason = refusedAddress(address);
      // The address itself is not said: the error is shown to the merchant, and an internal
      // name's address is none of its business.
      if (reason) throw refusedAddressKind(`${host} resolves to a ${reason} address`);
    }
  }
  return addresses[0]!;
}

/** The resolution counts towards the attempt's time limit too. */
function withinTime<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expire = () => reject(new Error(`no answer within ${timeoutMs} ms`));
    if (signal.aborted) return expire();
    signal.addEventListener('abort', expire, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', expire));
  });
}

/** POSTs `body`; resolves with the answer's status, rejects on a refused target, a network failure or the timeout. */
export async function postCallback(target: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<number> {
  const malformed = refusedCallbackUrl(target, true);
  if (malformed) throw new RefusedTarget(malformed);
  const literalPrivate = refusedCallbackUrl(target, options.allowPrivate);
  if (literalPrivate) throw refusedAddressKind(literalPrivate);
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const signal = AbortSignal.timeout(options.timeoutMs);
  const pinned = await withinTime(checkedAddress(host, options.allowPrivate), signal, options.timeoutMs);
  const lookup: LookupFunction = (_name, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const requestOptions: RequestOptions = {
    method: 'POST',
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup,
    signal,
    agent: false,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const outgoing = send({ ...requestOptions, ...(url.protocol === 'https:' ? { servername: isIP(host) ? undefined : host } : {}) }, (answer) => {
      let read = 0;
      answer.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) answer.destroy();
      });
      answer.on('close', () => resolve(answer.statusCode ?? 0));
      answer.on('error', () => resolve(answer.statusCode ?? 0));
    });
    outgoing.on('error', (error) => reject(signal.aborted ? new Error(`no answer within ${options.timeoutMs} ms`) : error));
    outgoing.end(body);
  });
}
