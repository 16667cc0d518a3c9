// Packs the SDK as a package of its own, `vendcloud-client`, for merchants' projects:
// the compiled client and the protocol it imports (and nothing of the server), their type
// declarations, and its one dependency. Run after `npm run build` (`npm run pack:sdk` does both).
// Usage: node scripts/pack-sdk.mjs [destination folder, default: the project's root]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const destination = resolve(process.argv[2] ?? root);
const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const staging = mkdtempSync(join(tmpdir(), 'vendcloud-client-'));
try {
  // client/ imports ../protocol/, so both keep their places side by side.
  for (const folder of ['client', 'protocol']) {
    cpSync(join(root, 'dist/src', folder), join(staging, folder), { recursive: true, filter: (path) => !path.endsWith('.map') });
  }
  const manifest = {
    name: 'vendcloud-client',
    version: project.version,
    description: 'The vendcloud SDK: a typed client of the pickup-code Open API, and the webhook verifier.',
    type: 'module',
    engines: project.engines,
    exports: { '.': { types: './client/index.d.ts', default: './client/index.js' }, './package.json': './package.json' },
    types: './client/index.d.ts',
    dependencies: { '@noble/hashes': project.dependencies['@noble/hashes'] },
    license: project.license ?? 'UNLICENSED',
  };
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(staging, 'README.md'),
    '# vendcloud-client\n\nThe vendcloud SDK, packed from the vendcloud repository (`npm run pack:sdk`). See the repository\'s docs/sdk.md.\n',
  );
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', destination], { cwd: staging, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(join(destination, packed));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
