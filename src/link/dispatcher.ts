/**
 * The outbox dispatcher: publishes the messages that src/service/* wrote to the outbox in
 * the transaction of each change, with QoS 1, in order per machine, and marks a row sent
 * only once the broker acknowledged it (PUBACK). Unsent rows survive any restart and go out
 * as soon as a broker is reachable again.
 *
 * Several server instances may share one PostgreSQL: each round locks the machines it
 * serves (`FOR NO KEY UPDATE SKIP LOCKED`) for as long as it publishes their rows, so no
 * two instances ever send the same row, and one machine's rows leave one instance in order.
 * A SQLite file belongs to one process, whose rounds never overlap.
 */
import { CODE_LIST_METHODS, encodeMachineMessage, MACHINE_METHOD, machineTopic, SYNC_INSTEAD_OF_DELETES_ABOVE, syncFields } from '../protocol/machine-messages.js';
import type { Executor } from '../store/executor.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Store } from '../store/store.js';
import { countByMethod, type LinkCounters } from './counters.js';
import type { LinkLogger } from './logger.js';

/** Sends one message and resolves when the broker acknowledged it. */
export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string): Promise<void>;
}

export interface DispatcherOptions {
  clock: () => number;
  /** How often to look for rows nobody woke us for (other instances' writes, retries). */
  pollIntervalMs: number;
  counters: LinkCounters;
  logger: LinkLogger;
}

/** Machines served per round; more are left for the next round, which follows at once. */
const MACHINES_PER_ROUND = 64;

interface Recipient {
  id: number;
  machine_no: string;
  time_zone: string;
  appid: string;
}

export class OutboxDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Something may have been written to the outbox: send it now. Calls coalesce. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once no round is running (the outbox is empty or the broker unreachable). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        while (!this.stopped && this.publisher.connected && (await this.round()));
      } while (this.again && !this.stopped);
    } catch (error) {
      // The poll tries again; a broken database must not take the process down.
      this.options.logger.error({ err: error }, 'outbox dispatch failed');
    }
  }

  /** One pass over some machines with unsent rows; true if more may be waiting. */
  private async round(): Promise<boolean> {
    if (this.store.dialect === 'postgres') {
      return this.store.db.transaction().execute(async (trx) => {
        const machineIds = await outbox.claimMachinesWithUnsent(trx, MACHINES_PER_ROUND);
        await Promise.all(machineIds.map((id) => this.serveMachine(trx, id, (ids) => outbox.markSent(trx, ids, this.options.clock()))));
        return machineIds.length === MACHINES_PER_ROUND;
      });
    }
    const machineIds = await outbox.claimMachinesWithUnsent(this.store.db, MACHINES_PER_ROUND);
    await Promise.all(
      machineIds.map((id) => this.serveMachine(this.store.db, id, (ids) => this.store.write((trx) => outbox.markSent(trx, ids, this.options.clock())))),
    );
    return machineIds.length === MACHINES_PER_ROUND;
  }

  private async serveMachine(db: Executor, machineId: number, markAsSent: (ids: number[]) => Promise<void>): Promise<void> {
    const recipient = await machines.findLinkedById(db, machineId);
    if (!recipient) return;
    let rows = await outbox.unsentOf(db, machineId, SYNC_INSTEAD_OF_DELETES_ABOVE + 1);
    const listRows = rows.filter((row) => CODE_LIST_METHODS.includes(row.method));
    if (listRows.length > SYNC_INSTEAD_OF_DELETES_ABOVE || listRows.some((row) => row.method === MACHINE_METHOD.CODES_SYNC)) {
      if (!(await this.sendSync(db, recipient, markAsSent))) return;
      // A vend command is not part of the list: it still goes out, after the list.
      rows = rows.filter((row) => !CODE_LIST_METHODS.includes(row.method));
    }
    const sent: number[] = [];
    try {
      for (const row of rows) {
        await this.send(recipient, row.method, JSON.parse(row.body) as Record<string, string>);
        sent.push(row.id);
      }
    } catch (error) {
      // Keep the order: the rest of this machine's rows wait for the next round.
      this.options.counters.publishFailures++;
      this.options.logger.warn({ err: error, machine_no: recipient.machine_no }, 'publishing to a machine failed; will retry');
    } finally {
      if (sent.length > 0) await markAsSent(sent);
    }
  }

  /**
   * The machine's complete list replaces every unsent code-list row of it: each of those rows was
   * committed before the list is read, so the list already shows its effect.
   */
  private async sendSync(db: Executor, recipient: Recipient, markAsSent: (ids: number[]) => Promise<void>): Promise<boolean> {
    const pending = await outbox.unsentIdsOf(db, recipient.id, CODE_LIST_METHODS);
    const newest = await outbox.newestIdOf(db, recipient.id);
    const live = await codes.liveOnMachine(db, recipient.id, this.options.clock());
    try {
      // The newest outbox row is the list's revision: every row up to it is reflected.
      await this.send(recipient, MACHINE_METHOD.CODES_SYNC, syncFields(live, recipient.time_zone, newest));
    } catch (error) {
      this.options.counters.publishFailures++;
      this.options.logger.warn({ err: error, machine_no: recipient.machine_no }, 'publishing a sync failed; will retry');
      return false;
    }
    this.options.counters.superseded += pending.length - 1;
    await markAsSent(pending);
    return true;
  }

  private async send(recipient: Recipient, method: string, body: Record<string, string>): Promise<void> {
    const payload = encodeMachineMessage(
      { machineId: recipient.id, machineNo: recipient.machine_no, method, timestamp: this.options.clock() },
      body,
      recipient.appid,
    );
    await this.publisher.publish(machineTopic(recipient.machine_no), payload);
    countByMethod(this.options.counters, 'published', method);
  }
}
