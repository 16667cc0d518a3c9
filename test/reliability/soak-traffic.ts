/**
 * The soak's traffic: merchants calling the Open API (creates, reads, cancels, consumes, now
 * and then a cancel-all) and customers redeeming codes at the machines' keypads, each at a
 * steady pace, counting every outcome. What a change did is remembered, so the end of the run
 * can check that nothing was lost.
 */
import { randomBytes } from 'node:crypto';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { tradeId } from '../helpers/client.js';
import { asMerchant, type ApiAnswer, type MerchantFixture } from '../helpers/server.js';
import { noAnswer } from './process-fixtures.js';

export interface SoakMachine {
  merchant: MerchantFixture;
  machineNo: string;
  productIds: number[];
  simulator: MachineSimulator;
  /** Codes the merchant created and has not cancelled or consumed (a keypad may have used them since). */
  live: Array<{ id: number; code: string; product_id: number }>;
  /** Ids of codes redeemed at the keypad: each must end USED. */
  redeemed: number[];
}

export interface Outcomes {
  requests: number;
  /** Envelope code → count (0 = success; 80002 and 10025 are expected races with the keypads). */
  codes: Map<number, number>;
  /** No answer at all, while the server was meant to be up. */
  unanswered: number;
  /** No answer, or a 503, while the server restarted on purpose. */
  duringRestart: number;
  /** Anything else: a 5xx other than a planned 503, an answer that broke its shape. */
  errors: string[];
  redemptions: number;
}

export function noOutcomes(): Outcomes {
  return { requests: 0, codes: new Map(), unanswered: 0, duringRestart: 0, errors: [], redemptions: 0 };
}

/** Codes a merchant may meet when a keypad got there first. */
const EXPECTED_RACES = new Set([80002, 10025]);
/** A machine with more live codes than this gets a cancel-all now and then. */
const CANCEL_ALL_ABOVE = 40;

function pick<T>(items: T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less once the traffic is stopped. */
async function pauseWhileRunning(ms: number, control: TrafficControl): Promise<void> {
  const until = Date.now() + ms;
  while (control.running() && Date.now() < until) await pause(Math.min(500, until - Date.now()));
}

export interface TrafficControl {
  /** Where the server is now (its port changes when it restarts). */
  url(): string;
  /** Whether the server is being restarted on purpose. */
  restarting(): boolean;
  running(): boolean;
}

/** One merchant's client: one request at a time, `pauseMs` between them, until stopped. */
export async function merchantTraffic(machines: SoakMachine[], control: TrafficControl, outcomes: Outcomes, pauseMs: number): Promise<void> {
  const merchant = machines[0]!.merchant;
  while (control.running()) {
    const machine = pick(machines)!;
    const api = asMerchant(control.url(), merchant);
    const machine_no = machine.machineNo;
    const product_id = String(pick(machine.productIds));
    const nonce = randomBytes(8).toString('hex');
    const choice = Math.random();
    const restarting = control.restarting();
    let answer: ApiAnswer | undefined;
    try {
      if (machine.live.length > CANCEL_ALL_ABOVE && choice < 0.05) {
        answer = await api('/pickup_codes', { machine_no, method: 'pickup_code.delete.all', nonce }, 'PUT');
        if (answer?.body.code === 0) machine.live.length = 0;
      } else if (choice < 0.35) {
        answer = await api('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id, count: String(1 + Math.floor(Math.random() * 3)), nonce });
        if (answer?.body.code === 0) machine.live.push(...answer.body.data.codes);
      } else if (choice < 0.5 && machine.live.length > 0) {
        const code = machine.live.splice(Math.floor(Math.random() * machine.live.length), 1)[0]!;
        answer = await api('/pickup_codes', { machine_no, method: 'pickup_code.delete.id', id: String(code.id), nonce }, 'PUT');
      } else if (choice < 0.6 && machine.live.length > 0) {
        const code = machine.live.splice(Math.floor(Math.random() * machine.live.length), 1)[0]!;
        const consume = { machine_no, method: 'event.consume.pickup_code', code: code.code, product_id: String(code.product_id), trade_id: tradeId() };
        answer = await api('/consumes', { ...consume, notify_url: 'https://merchant.example/notify' });
      } else if (choice < 0.75) {
        answer = await api(`/products/${product_id}/pickup_code`, { machine_no });
      } else if (choice < 0.9) {
        answer = await api('/pickup_codes/query', { machine_no, status: 'UNUSED', per_page: '20' });
      } else if (choice < 0.97) {
        answer = await api(`/rent/machines/${machine_no}`, undefined);
      } else {
        answer = await api('/ping', undefined);
      }
    } catch (error) {
      try {
        answer = noAnswer(error);
      } catch (other) {
        outcomes.errors.push(`${(other as Error).message}`.slice(0, 300));
      }
    }
    outcomes.requests++;
    count(outcomes, answer, restarting || control.restarting());
    await pause(pauseMs);
  }
}

function count(outcomes: Outcomes, answer: ApiAnswer | undefined, restarting: boolean): void {
  if (!answer) {
    if (restarting) outcomes.duringRestart++;
    else outcomes.unanswered++;
    return;
  }
  const code = answer.body.code;
  if (restarting && code === 503) {
    outcomes.duringRestart++;
    return;
  }
  outcomes.codes.set(code, (outcomes.codes.get(code) ?? 0) + 1);
  if (code !== 0 && !EXPECTED_RACES.has(code)) outcomes.errors.push(`HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
}

/** Customers at one machine's keypad: a code from its own list every `everyMs` or so, online or not. */
export async function keypadTraffic(machine: SoakMachine, control: TrafficControl, outcomes: Outcomes, everyMs: number): Promise<void> {
  await pauseWhileRunning(Math.random() * everyMs, control);
  while (control.running()) {
    const code = pick(machine.simulator.codes());
    if (code) {
      const outcome = await machine.simulator.redeem(code.code);
      if (outcome.ok) {
        machine.redeemed.push(Number(code.id));
        outcomes.redemptions++;
      }
    }
    await pauseWhileRunning(everyMs * (0.5 + Math.random()), control);
  }
}
