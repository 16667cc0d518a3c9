/**
 * One callback POST through the SSRF guard (src/callbacks/post.ts), against a real HTTP
 * server on loopback: what is sent, what is refused before any connection, that every
 * resolved address is checked and the socket goes to the checked one, and the time limit.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, it } from '../helpers/node-test.js';
import { postCallback } from '../../src/callbacks/post.js';
import { Receiver } from '../helpers/receiver.js';

const FLAG = 'callbacks to loopback and private addresses are refused unless the server runs with --allow-private-callbacks';
const open = { timeoutMs: 2000, allowPrivate: true };
const guarded = { timeoutMs: 2000, allowPrivate: false };

/** Answers the lookups of `merchant.example` with `answers[i]` for the i-th lookup; other names resolve as usual. */
function fakeDns(answers: Array<Array<{ address: string; family: number }>>): { lookups: number; restore: () => void } {
  const real = dns.lookup;
  const state = { lookups: 0, restore: () => {} };
  const fake = ((host: string, options: unknown, callback: (error: Error | null, addresses: unknown) => void) => {
    if (host !== 'merchant.example') return (real as (...args: unknown[]) => void)(host, options, callback);
    const answer = answers[Math.min(state.lookups, answers.length - 1)]!;
    state.lookups++;
    setImmediate(() => callback(null, answer));
  }) as typeof dns.lookup;
  dns.lookup = fake;
  syncBuiltinESMExports();
  state.restore = () => {
    dns.lookup = real;
    syncBuiltinESMExports();
  };
  return state;
}

async function rejection(work: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}

describe('posting a callback', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
  });
  after(() => receiver.close());

  it('POSTs the body with its headers and content length to the path and query, and resolves with the answer status', async () => {
    receiver.status = 201;
    const status = await postCallback(`${receiver.url}/notify?x=1`, '{"a":"取"}', { 'content-type': 'application/json', 'x-extra': 'v' }, open);
    assert.equal(status, 201);
    const got = receiver.on('/notify?x=1').at(-1)!;
    assert.equal(got.body, '{"a":"取"}');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['x-extra'], 'v');
    assert.equal(got.headers['content-length'], '11');
    receiver.status = 200;
  });
  it('a redirect is answered as its 3xx status, not followed', async () => {
    receiver.status = 302;
    assert.equal(await postCallback(`${receiver.url}/moved`, '{}', {}, open), 302);
    receiver.status = 200;
  });
  it('refuses a URL that is not one, another scheme, or credentials, even with private targets allowed, and connects nowhere', async () => {
    const before = receiver.received.length;
    for (const [target, message] of [
      ['not a url', 'not a URL'],
      ['ftp://127.0.0.1/', 'only http and https'],
      [`http://u:p@${receiver.url.slice(7)}/`, 'no credentials in the URL'],
    ] as const) {
      const error = await rejection(postCallback(target, '{}', {}, open));
      assert.equal(error.name, 'RefusedTarget');
      assert.equal(error.message, message);
    }
    assert.equal(receiver.received.length, before);
  });
  it('refuses a literal loopback address unless private targets are allowed, naming the flag', async () => {
    const before = receiver.received.length;
    const error = await rejection(postCallback(`${receiver.url}/x`, '{}', {}, guarded));
    assert.equal(error.name, 'RefusedTarget');
    assert.equal(error.message, `loopback: ${FLAG}`);
    assert.equal(receiver.received.length, before);
  });
  it('checks every address a name resolves to: one private among public ones refuses the target', async () => {
    const dnsState = fakeDns([[{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }]]);
    try {
      const error = await rejection(postCallback('http://merchant.example/x', '{}', {}, guarded));
      assert.equal(error.name, 'RefusedTarget');
      assert.equal(error.message, `merchant.example resolves to a private address: ${FLAG}`);
    } finally {
      dnsState.restore();
    }
  });
  it('a name that resolves to no address is refused', async () => {
    const dnsState = fakeDns([[]]);
    try {
      const error = await rejection(postCallback('http://merchant.example/x', '{}', {}, open));
      assert.equal(error.name, 'RefusedTarget');
      assert.equal(error.message, 'merchant.example resolves to no address');
    } finally {
      dnsState.restore();
    }
  });
  it('connects to the address it checked: a second resolution answering otherwise is never asked', async () => {
    const port = new URL(receiver.url).port;
    const dnsState = fakeDns([[{ address: '127.0.0.1', family: 4 }], [{ address: '192.0.2.1', family: 4 }]]);
    try {
      assert.equal(await postCallback(`http://merchant.example:${port}/pinned`, '{}', {}, open), 200);
      assert.equal(dnsState.lookups, 1);
      assert.equal(receiver.on('/pinned').at(-1)!.headers.host, `merchant.example:${port}`);
    } finally {
      dnsState.restore();
    }
  });
});

describe('the time limit of an attempt', () => {
  let silent: Server;
  let url: string;
  before(async () => {
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  after(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a callback is a POST', async () => {
    const methods: string[] = [];
    const server = createServer((request, response) => {
      methods.push(request.method ?? '');
      request.resume().on('end', () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      assert.equal(await postCallback(`http://127.0.0.1:${port}/m`, '{}', {}, { timeoutMs: 2000, allowPrivate: true }), 200);
      assert.deepEqual(methods, ['POST']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  it('a receiver that never answers fails the attempt with "no answer within <ms> ms"', async () => {
    const error = await rejection(postCallback(`${url}/x`, '{}', {}, { timeoutMs: 150, allowPrivate: true }));
    assert.equal(error.message, 'no answer within 150 ms');
  });
  it('a resolution that never ends counts towards the limit too', async () => {
    const real = dns.lookup;
    dns.lookup = (() => {}) as unknown as typeof dns.lookup;
    syncBuiltinESMExports();
    try {
      const error = await rejection(postCallback('http://merchant.example/x', '{}', {}, { timeoutMs: 150, allowPrivate: true }));
      assert.equal(error.message, 'no answer within 150 ms');
    } finally {
      dns.lookup = real;
      syncBuiltinESMExports();
    }
  });
});

/** A server on loopback whose every answer is written by `answer`; closed by the returned function. */
async function answering(answer: (response: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => request.resume().on('end', () => answer(response)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the answer of a receiver', () => {
  const KIB_64 = 64 * 1024;
  /** Answers 200 with `bytes` bytes of body, then holds the answer open for ever. */
  const stalling = (bytes: number) =>
    answering((response) => {
      response.writeHead(200);
      response.write(Buffer.alloc(bytes, 'x'));
    });

  it('is read up to 64 KiB: a receiver that sends more and never ends does not hold the attempt, whose status is its answer', async () => {
    const receiver = await stalling(KIB_64 + 1);
    try {
      assert.equal(await postCallback(`${receiver.url}/big`, '{}', {}, { timeoutMs: 2000, allowPrivate: true }), 200);
    } finally {
      await receiver.close();
    }
  });
  it('broken off midway still gives the attempt the status the receiver sent', async () => {
    const receiver = await answering((response) => {
      response.writeHead(201);
      response.write('partial', () => response.socket?.destroy());
    });
    try {
      assert.equal(await postCallback(`${receiver.url}/broken`, '{}', {}, { timeoutMs: 2000, allowPrivate: true }), 201);
    } finally {
      await receiver.close();
    }
  });
  it('of exactly 64 KiB is not cut: one that then stalls runs into the time limit', async () => {
    const receiver = await stalling(KIB_64);
    try {
      const error = await rejection(postCallback(`${receiver.url}/64k`, '{}', {}, { timeoutMs: 300, allowPrivate: true }));
      assert.equal(error.message, 'no answer within 300 ms');
    } finally {
      await receiver.close();
    }
  });
});

describe('the address a name resolves to', () => {
  it('a name is resolved by the system (all its addresses), and the POST goes to the address it gave', async () => {
    const receiver = await Receiver.start();
    try {
      const port = new URL(receiver.url).port;
      assert.equal(await postCallback(`http://localhost:${port}/by-name`, '{}', {}, open), 200);
      assert.equal(receiver.on('/by-name').at(-1)!.headers.host, `localhost:${port}`);
    } finally {
      await receiver.close();
    }
  });
});

describe('an https target', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
  it('is reached over TLS, which checks the receiver\'s certificate and is told the name (SNI): a self-signed one fails the attempt', async () => {
    const names: string[] = [];
    const server = createTlsServer({
      key: fixture('receiver.key'),
      cert: fixture('receiver.crt'),
      SNICallback: (name, done) => {
        names.push(name);
        done(null, undefined);
      },
    }, (_request, response) => response.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dnsState = fakeDns([[{ address: '127.0.0.1', family: 4 }]]);
    try {
      const port = (server.address() as { port: number }).port;
      const error = await rejection(postCallback(`https://merchant.example:${port}/tls`, '{}', {}, open));
      assert.equal((error as Error & { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      assert.deepEqual(names, ['merchant.example']);
    } finally {
      dnsState.restore();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
