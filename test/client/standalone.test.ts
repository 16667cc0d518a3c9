/**
 * `vendcloud/client` is the SDK without the server: loading it pulls in no module of
 * vendcloud outside dist/src/client and dist/src/protocol, and no dependency but the
 * hashing library, so it runs wherever `fetch` does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from '../helpers/node-test.js';
import { ROOT } from '../helpers/source-tree.js';

/** Records every module URL the child resolves, through a resolve hook that reports on a port. */
const CHILD = `
import { register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const hooks = 'data:text/javascript,' + encodeURIComponent(\`
  let port;
  export function initialize(data) { port = data.port; }
  export async function resolve(specifier, context, next) {
    const result = await next(specifier, context);
    port.postMessage(result.url);
    return result;
  }
\`);
register(hooks, { data: { port: port2 }, transferList: [port2] });
const client = await import('vendcloud/client');
if (typeof client.VendcloudClient !== 'function') throw new Error('no VendcloudClient');
// Each URL was posted before its import resolved, so the queue is complete now.
const loaded = [];
for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) loaded.push(message.message);
port1.close();
process.stdout.write(JSON.stringify(loaded));
`;

describe('the SDK on its own', () => {
  it('loading vendcloud/client loads nothing of vendcloud but dist/src/client and dist/src/protocol', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
    const urls = JSON.parse(output) as string[];
    const project = new URL(`file://${ROOT}/`).href;
    const own = urls.filter((url) => url.startsWith(project) && !url.includes('/node_modules/')).map((url) => url.slice(project.length));
    assert.ok(own.includes('dist/src/client/index.js'), `the client itself was loaded: ${own.join(', ')}`);
    assert.deepEqual(own.filter((path) => !path.startsWith('dist/src/client/') && !path.startsWith('dist/src/protocol/')), []);
    const packages = new Set(urls.filter((url) => url.includes('/node_modules/')).map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)![1]));
    assert.deepEqual([...packages], ['@noble/hashes']);
  });
});
