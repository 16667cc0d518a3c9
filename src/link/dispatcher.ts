/**
 * The outbox dispatcher: publishes the messages that src/service/* wrote to the outbox in
 * the transaction of each change, with QoS 1, in order per machine, and marks a row sent
 * only once the broker acknowledged it (PUBACK). Unsent rows survive any restart and go out
 * as soon as a broker is reachable again.
 *
 * Each machine with unsent rows is served by a worker of its own, batch by batch, so one
 * machine's long queue holds up nobody else. Several server instances may share one
 * PostgreSQL: each batch locks its machine (`FOR NO KEY UPDATE SKIP LOCKED`) for as long as it
 * publishes its rows, so no two instances ever send the same row, and one machine's rows leave
 * one instance in order. A SQLite file belongs to one process, which serves a machine once.
 */
import { linkProfileOf } from '../domain/link-profiles.js';
import { CODE_LIST_METHODS, encodeMachineMessage, MACHINE_METHOD, machineTopic, originalFormOf, syncFields } from '../protocol/machine-messages.js';
import { queueLiveCodes } from '../service/machine-catch-up.js';
import { aloneRunner, authorAt, runChange, WakeLoop } from '../service/runner.js';
import type { Executor } from '../store/executor.js';
import * as codes from '../store/repositories/codes.repository.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { UnsentRow } from '../store/repositories/outbox.repository.js';
import type { Author, Store, Work } from '../store/store.js';
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

/** Above this many waiting code rows, an extended machine gets its whole list in one sync instead. */
export const SYNC_INSTEAD_OF_DELETES_ABOVE = 20;

/** Machines sent to at once, each by its own worker; more wait for a free one. */
const MACHINES_AT_ONCE = 64;

/**
 * A machine's messages per batch (one read, all in flight at once, one "sent" write). Another
 * machine's push waits behind at most one batch on the server's connection to the broker.
 */
const MESSAGES_PER_BATCH = 64;

interface Recipient {
  id: number;
  machine_no: string;
  time_zone: string;
  appid: string;
}

type BatchOutcome = 'more' | 'drained' | 'failed' | 'taken';

/** Runs a change in the batch's Work (PostgreSQL) or a write of its own (SQLite). */
type Write = <T>(change: (work: Work) => Promise<T>) => Promise<T>;

export class OutboxDispatcher {
  /** Woken by a commit that queued pushes, by the poll, drained on close (service/runner.ts). */
  private readonly loop: WakeLoop;
  /**
   * The machines this process is sending to, each by a worker of its own: a machine with a
   * long queue (a 100,000-code cancel-all to an original machine) holds up nobody else.
   */
  private readonly serving = new Map<number, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly options: DispatcherOptions,
  ) {
    this.loop = new WakeLoop(store, {
      wakesOn: 'pushes',
      pollIntervalMs: options.pollIntervalMs,
      round: async () => {
        if (this.publisher.connected) await this.assignWorkers();
      },
      onError: (error) => this.options.logger.error({ err: error }, 'outbox dispatch failed'),
    });
  }

  /** Starts the poll and listens to the committed event. */
  start(): void {
    this.loop.start();
  }

  /** Something may have been written to the outbox: send it now. Calls coalesce. */
  wake(): void {
    this.loop.wake();
  }

  /** Resolves once nothing is being sent (the outbox is empty or the broker unreachable). */
  async idle(): Promise<void> {
    while (this.loop.busy || this.serving.size > 0) await Promise.all([this.loop.idle(), ...this.serving.values()]);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.idle();
  }

  /** A worker for each machine with unsent rows that has none yet, at most MACHINES_AT_ONCE in all. */
  private async assignWorkers(): Promise<void> {
    const free = MACHINES_AT_ONCE - this.serving.size;
    if (free <= 0) return; // a worker that drains its machine wakes the loop again
    const machineIds = await outbox.machinesWithUnsent(this.store.db, free, [...this.serving.keys()]);
    for (const machineId of machineIds) {
      const work = this.work(machineId).then(
        (outcome) => {
          this.serving.delete(machineId);
          // Rows committed meanwhile, or machines left waiting for a free worker, go out now;
          // after a failure or another instance's lock, the poll tries again.
          if (outcome === 'drained') this.wake();
        },
        (error: unknown) => {
          this.serving.delete(machineId);
          this.options.logger.error({ err: error }, 'outbox dispatch failed');
        },
      );
      this.serving.set(machineId, work);
    }
  }

  /** Sends the machine's rows batch by batch until none is left, a publish fails, or the process stops. */
  private async work(machineId: number): Promise<BatchOutcome> {
    for (;;) {
      if (this.loop.isStopped || !this.publisher.connected) return 'failed';
      const outcome = await this.batch(machineId);
      if (outcome !== 'more') return outcome;
    }
  }

  /** One batch of the machine's rows; on PostgreSQL in a transaction that holds the machine's lock. */
  private batch(machineId: number): Promise<BatchOutcome> {
    const alone = aloneRunner(this.store);
    if (alone) {
      return alone(this.author(), async (work) => {
        if (!(await outbox.lockMachine(work.trx, machineId))) return 'taken';
        return this.serveMachine(work.trx, machineId, (change) => change(work));
      });
    }
    return this.serveMachine(this.store.db, machineId, (change) => runChange(this.store, this.author(), change));
  }

  /** The author of the dispatcher's bookkeeping (rows marked sent, an original machine's list queued), now. */
  private author(): Author {
    return authorAt('dispatcher', this.options.clock());
  }

  /**
   * Sends at most MESSAGES_PER_BATCH of the machine's rows, as its profile understands them:
   * `more` if it has more waiting, `drained`, or `failed` when a publish failed.
   */
  private async serveMachine(db: Executor, machineId: number, write: Write): Promise<BatchOutcome> {
    const markAsSent = (ids: number[]) => write((work) => outbox.markSent(work.trx, ids, work.now));
    const recipient = await machines.findLinkedById(db, machineId);
    if (!recipient) return 'drained';
    const waiting = await outbox.unsentOf(db, machineId, MESSAGES_PER_BATCH);
    let rows = waiting;
    if (linkProfileOf(recipient) === 'extended') {
      const listRows = rows.filter((row) => CODE_LIST_METHODS.includes(row.method));
      if (listRows.length > SYNC_INSTEAD_OF_DELETES_ABOVE || listRows.some((row) => row.method === MACHINE_METHOD.CODES_SYNC)) {
        if (!(await this.sendSync(db, recipient, markAsSent))) return 'failed';
        // A vend command is not part of the list: it still goes out, after the list.
        rows = rows.filter((row) => !CODE_LIST_METHODS.includes(row.method));
      }
    } else {
      rows = await this.forOriginal(recipient, rows, write);
    }
    const sent = await this.sendInOrder(recipient, rows);
    if (sent.length > 0) await markAsSent(sent);
    if (sent.length < rows.length) return 'failed';
    return waiting.length === MESSAGES_PER_BATCH ? 'more' : 'drained';
  }

  /**
   * An original machine knows only the docs' messages. A sync row (the whole list changed: an
   * import; or a pull from when the machine was extended) becomes a create of every live code,
   * queued behind the rows already waiting and read when it is queued; a test vend becomes the
   * docs' `client.channel.debugging`; anything else it would not understand is not sent.
   */
  private async forOriginal(recipient: Recipient, rows: UnsentRow[], write: Write): Promise<UnsentRow[]> {
    const kept: UnsentRow[] = [];
    const dropped: number[] = [];
    for (const row of rows) {
      const message = originalFormOf(row.method, JSON.parse(row.body) as Record<string, string>);
      if (message) kept.push({ ...row, method: message.method, body: JSON.stringify(message.fields) });
      else dropped.push(row.id);
    }
    const syncs = rows.some((row) => row.method === MACHINE_METHOD.CODES_SYNC);
    if (dropped.length > 0) {
      await write(async (work) => {
        if (syncs) await queueLiveCodes(work, recipient);
        await outbox.markSent(work.trx, dropped, work.now);
      });
    }
    return kept;
  }

  /**
   * Publishes the rows in order, several in flight at once (QoS 1 on one connection keeps
   * their order); returns the ids acknowledged before the first failure, so the rest is sent
   * again in order later (a create and a delete sent twice are harmless).
   */
  private async sendInOrder(recipient: Recipient, rows: UnsentRow[]): Promise<number[]> {
    const outcomes = await Promise.allSettled(rows.map((row) => this.send(recipient, row.method, JSON.parse(row.body) as Record<string, string>)));
    const failed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    if (failed >= 0) {
      this.options.counters.publishFailures++;
      const error = (outcomes[failed] as PromiseRejectedResult).reason as unknown;
      this.options.logger.warn({ err: error, machine_no: recipient.machine_no }, 'publishing to a machine failed; will retry');
    }
    return rows.slice(0, failed >= 0 ? failed : rows.length).map((row) => row.id);
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
