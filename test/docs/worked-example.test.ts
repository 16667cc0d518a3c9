/**
 * The README's worked example runs as written against the demo's data: its curl blocks, pasted
 * into bash with the banner's credentials, create three codes, list them and cancel the first;
 * the machine holds the other two, redeems the second at its keypad, and the merchant then
 * sees the first cancelled, the second used with its order, and cancels the third.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MachineSimulator } from '../../src/link/machine-simulator.js';
import { ensureDemoData, type DemoCredentials } from '../../src/service/demo.js';
import { brokerModes, eventually, heldIds, LinkedServer, sameIds } from '../helpers/link.js';
import { after, before, describe, it } from '../helpers/node-test.js';
import { ROOT } from '../helpers/source-tree.js';
import { storeKinds } from '../helpers/stores.js';

/** The `sh` blocks under the README's "## A worked example", in order. */
function exampleBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /## A worked example\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The block's lines before its first request: the settings, `sign` and `api`. */
function preamble(block: string): string {
  const lines = block.split('\n');
  return lines.slice(0, lines.findIndex((line) => line.startsWith('api '))).join('\n');
}

/** The block with the banner's values where the README has placeholders. */
function withCredentials(block: string, url: string, demo: DemoCredentials): string {
  return block
    .replace(/^URL=.*$/m, `URL=${url}/api/openapi/v1`)
    .replace(/^APPID=.*$/m, `APPID=${demo.appid}; SECRET=${demo.app_secret}; MERCHANT_ID=${demo.merchant_id}`);
}

/** Runs a script in bash; each `api` call prints one answer a line. */
function bash(script: string): Promise<Array<{ code: number; data: any }>> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim().split('\n').map((line) => JSON.parse(line))) : reject(new Error(`bash failed (${code}):\n${stderr}`)))),
  );
}

describe("the README's worked example", () => {
  let linked: LinkedServer;
  let demo: DemoCredentials;
  let machine: MachineSimulator;
  before(async () => {
    linked = await LinkedServer.start(storeKinds()[0]!, brokerModes()[0]!.mqtt());
    demo = await ensureDemoData(linked.store);
    machine = new MachineSimulator({ url: linked.brokerUrl, machineNo: demo.machine_no, password: demo.mqtt_password, appid: demo.appid });
    await machine.connect();
  });
  after(async () => {
    await machine.disconnect();
    await linked.close();
  });

  it('runs as written on the demo: codes made, listed and one cancelled; the machine redeems one; the merchant sees it and cancels the rest', { timeout: 60_000 }, async () => {
    const [simulatorLine, merchant, afterRedemption] = exampleBlocks();
    assert.ok(simulatorLine && merchant && afterRedemption, 'three sh blocks: the simulator, the merchant, what the merchant sees');
    assert.match(simulatorLine, new RegExp(`machine-sim --machine-no ${demo.machine_no} `), 'the simulator is the demo machine');

    const script = withCredentials(merchant, linked.server.url, demo);
    const [created, listed, cancelled] = await bash(script);
    assert.deepEqual([created?.code, listed?.code, cancelled?.code], [0, 0, 0]);
    const codes: Array<{ id: number; code: string }> = created!.data.codes;
    assert.deepEqual(codes.map((code) => code.id), [1, 2, 3], 'the ids the example names');
    assert.deepEqual(listed!.data.map((code: { id: number }) => code.id), [1, 2, 3]);
    assert.deepEqual(cancelled!.data, {});

    await eventually(() => sameIds(heldIds(machine), [2, 3]), 'the machine holds codes 2 and 3');
    const redeemed = await machine.redeem(codes[1]!.code);
    assert.equal(redeemed.ok, true);
    await eventually(() => machine.unacknowledgedReports().length === 0, 'the redemption is acknowledged');

    const [query, history, cancelledAll] = await bash(`${preamble(script)}\n${afterRedemption}`);
    assert.deepEqual(query!.data.data.map((code: { id: number; status: string }) => [code.id, code.status]), [[1, 'CANCELLED'], [2, 'USED'], [3, 'UNUSED']]);
    assert.deepEqual(history!.data.events.map((event: { action: string; actor: string }) => [event.action, event.actor]), [['create', `merchant:${demo.merchant_id}`], ['redeem', `machine:${demo.machine_no}`]]);
    assert.equal(history!.data.order.order_id, query!.data.data[1].order_id);
    assert.deepEqual(cancelledAll!.data, { count: 1 });
  });
});
