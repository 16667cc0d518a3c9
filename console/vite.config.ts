/**
 * Builds the merchant console into dist/console, served by `vendcloud serve` at /console.
 * `npm run console:dev` serves it with live reload and sends API calls to a server on :8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // One small bundle: no chunk loaded later, nothing inlined (the CSP forbids inline code).
    assetsInlineLimit: 0,
    // Maps are written for whoever debugs a build, without the comment that would point a
    // browser to them; the server does not serve them (src/http/console.ts).
    sourcemap: 'hidden',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/console/config.json': 'http://127.0.0.1:8080' } },
});
