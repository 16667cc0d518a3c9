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
import type { Kysely } from 'kysely';
import { SYNC_INSTEAD_OF_DELETES_ABOVE } from '../domain/pickup-codes.js';
import { codeForMachine, MACHINE_METHOD } from '../service/outbox.js';
import { liveAt, type ReadDb } from '../service/pickup-codes.js';
import type { Database } from '../store/schema.js';
import type { Store, Tx } from '../store/store.js';
import type { LinkCounters } from './counters.js';
import type { LinkLogger } from './logger.js';
import { encodeMachineMessage, machineTopic } from './message.js';

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

interface OutboxRow {
  id: number;
  method: string;
  body: string;
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
        const machineIds = await claimMachines(trx, true);
        await Promise.all(machineIds.map((id) => this.serveMachine(trx, id, (ids) => markSent(trx, ids, this.options.clock()))));
        return machineIds.length === MACHINES_PER_ROUND;
      });
    }
    const machineIds = await claimMachines(this.store.db, false);
    await Promise.all(
      machineIds.map((id) => this.serveMachine(this.store.db, id, (ids) => this.store.write((trx) => markSent(trx, ids, this.options.clock())))),
    );
    return machineIds.length === MACHINES_PER_ROUND;
  }

  private async serveMachine(db: ReadDb, machineId: number, markAsSent: (ids: number[]) => Promise<void>): Promise<void> {
    const recipient = await db
      .selectFrom('machines')
      .innerJoin('merchants', 'merchants.id', 'machines.merchant_id')
      .select(['machines.id', 'machines.machine_no', 'machines.time_zone', 'merchants.appid'])
      .where('machines.id', '=', machineId)
      .executeTakeFirst();
    if (!recipient) return;
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'method', 'body'])
      .where('machine_id', '=', machineId)
      .where('sent_at', 'is', null)
      .orderBy('id')
      .limit(SYNC_INSTEAD_OF_DELETES_ABOVE + 1)
      .execute();
    if (rows.length > SYNC_INSTEAD_OF_DELETES_ABOVE || rows.some((row) => row.method === MACHINE_METHOD.CODES_SYNC)) {
      await this.sendSync(db, recipient, markAsSent);
      return;
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
   * The machine's complete list replaces every unsent row of it: each of those rows was
   * committed before the list is read, so the list already shows its effect.
   */
  private async sendSync(db: ReadDb, recipient: Recipient, markAsSent: (ids: number[]) => Promise<void>): Promise<void> {
    const pending = await db.selectFrom('outbox').select('id').where('machine_id', '=', recipient.id).where('sent_at', 'is', null).execute();
    const newest = await db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('id')).where('machine_id', '=', recipient.id).executeTakeFirst();
    const now = this.options.clock();
    const codes = await db
      .selectFrom('pickup_codes')
      .select(['id', 'product_id', 'code', 'quantity', 'expired_at'])
      .where('machine_id', '=', recipient.id)
      .where(liveAt(now))
      .orderBy('id')
      .execute();
    try {
      await this.send(recipient, MACHINE_METHOD.CODES_SYNC, {
        codes: JSON.stringify(codes.map((code) => codeForMachine(code, recipient.time_zone))),
        // The newest outbox row the list reflects: it only grows, so a machine can ignore an older list.
        revision: String(newest?.id ?? 0),
      });
    } catch (error) {
      this.options.counters.publishFailures++;
      this.options.logger.warn({ err: error, machine_no: recipient.machine_no }, 'publishing a sync failed; will retry');
      return;
    }
    this.options.counters.superseded += pending.length - 1;
    await markAsSent(pending.map((row) => row.id));
  }

  private async send(recipient: Recipient, method: string, body: Record<string, string>): Promise<void> {
    const payload = encodeMachineMessage(
      { machineId: recipient.id, machineNo: recipient.machine_no, method, timestamp: this.options.clock() },
      body,
      recipient.appid,
    );
    await this.publisher.publish(machineTopic(recipient.machine_no), payload);
    this.options.counters.published++;
  }
}

/** Machines with unsent rows; on PostgreSQL, locked for this round and skipped by other instances. */
async function claimMachines(db: Kysely<Database> | Tx, lock: boolean): Promise<number[]> {
  let query = db
    .selectFrom('machines')
    .select('id')
    .where('id', 'in', (eb) => eb.selectFrom('outbox').select('machine_id').where('sent_at', 'is', null))
    .orderBy('id')
    .limit(MACHINES_PER_ROUND);
  // NO KEY UPDATE, not UPDATE: it does not block the foreign-key checks of concurrent
  // inserts of codes and orders for the machine.
  if (lock) query = query.forNoKeyUpdate().skipLocked();
  return (await query.execute()).map((row) => row.id);
}

async function markSent(trx: Tx, ids: number[], now: number): Promise<void> {
  for (let start = 0; start < ids.length; start += 500) {
    await trx.updateTable('outbox').set({ sent_at: now }).where('id', 'in', ids.slice(start, start + 500)).where('sent_at', 'is', null).execute();
  }
}
