/**
 * The merchant console at /console: the static files that `npm run build` leaves in
 * dist/console (console/ is their source), served on the Open API's port. Every response
 * of this plugin carries a strict Content-Security-Policy: the page loads its own script
 * and stylesheet and talks to its own origin, nothing inline, nothing from elsewhere, never
 * framed. The page signs its API calls itself, with the SDK; the server holds no session.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_PREFIX } from '../protocol/endpoints.js';

/** dist/console, beside the compiled server (dist/src/http/console.js). */
const BUILT_CONSOLE = fileURLToPath(new URL('../../console/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  // No script may write HTML from a string: the console renders through the DOM only.
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export interface ConsoleOptions {
  /** The platform time zone: the console reads the API's wall times in it. */
  timeZone: string;
  /** Where the built files are; default dist/console. */
  root?: string;
}

export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const root = options.root ?? BUILT_CONSOLE;
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  // The page's own URLs are absolute (/console/assets/…); the slash form is the canonical one.
  app.route({ method: 'GET', url: '/', prefixTrailingSlash: 'no-slash', handler: async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`) });
  app.get('/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send({ time_zone: options.timeZone }));

  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'the console is not built: run npm run build');
    const notBuilt = 'The console is not built: run `npm run build`.\n';
    app.route({ method: 'GET', url: '/', prefixTrailingSlash: 'slash', handler: async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send(notBuilt) });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    cacheControl: false,
    // The bundle's source maps would hand out the console's whole source: not served (404).
    allowedPath: (pathName) => !pathName.endsWith('.map'),
    setHeaders: (reply, path) => {
      // Vite names assets by their content hash, so they never change; the page itself may.
      const immutable = path.startsWith(join(root, 'assets'));
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
