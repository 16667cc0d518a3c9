/** A merchant's HTTP endpoint on loopback that records every callback it receives and answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** The status of the next answers; a function may decide per request. */
  status: number | ((request: Received) => number) = 200;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on loopback: 127.0.0.1 and a free port unless told (any 127.x address works on Linux). */
  static async start(where: { host?: string; port?: number } = {}): Promise<Receiver> {
    const host = where.host ?? '127.0.0.1';
    let receiver: Receiver;
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const entry = { path: request.url ?? '', headers: request.headers, body, at: Date.now() };
        receiver.received.push(entry);
        response.statusCode = typeof receiver.status === 'function' ? receiver.status(entry) : receiver.status;
        response.end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where.port ?? 0, host, resolve);
    });
    const { port } = server.address() as { port: number };
    receiver = new Receiver(server, `http://${host}:${port}`);
    return receiver;
  }

  on(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
