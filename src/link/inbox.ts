/**
 * Messages from machines (topic /server/app): checked (shape, known machine, signature
 * with the merchant's Appid) and then acted upon, each change in one transaction. Anything
 * that fails a check is dropped, counted and logged; nothing a machine sends can throw.
 * A report carrying a report id is acknowledged to its machine once its change committed.
 */
import {
  encodeMachineMessage,
  EXTENDED_LINK_FIELD,
  EXTENDED_LINK_VALUE,
  KEYPAD_LOCK_FIELDS,
  MACHINE_METHOD,
  machineTopic,
  REPORT_ID,
  reportAcknowledgement,
  syncMessage,
  vendResultAcknowledgement,
  type MachineMessage,
} from '../protocol/machine-messages.js';
import { linkProfileOf } from '../domain/link-profiles.js';
import { queueCatchUp } from '../service/machine-catch-up.js';
import { Refused } from '../service/refused.js';
import { settleVendResult } from '../service/deliveries.js';
import { recordKeypadLock } from '../service/keypad-locks.js';
import { redeemReportedCode } from '../service/machine-reports.js';
import { markSilentMachinesOffline, recordMachineGone, recordMachineSeen } from '../service/machine-presence.js';
import { authorAt, runChange } from '../service/runner.js';
import * as machines from '../store/repositories/machines.repository.js';
import type { LinkedMachine, NetworkFacts } from '../store/repositories/machines.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import type { Author, Store, Work } from '../store/store.js';
import { countByMethod, type LinkCounters } from './counters.js';
import type { Publisher } from './dispatcher.js';
import type { LinkLogger } from './logger.js';
import { parseMachineMessage, signatureHolds, type ReceivedMessage } from './message.js';
import { applyStockReport, parseStockReport } from './stock-reports.js';
import { isFarOff } from './message-age.js';

export interface InboxOptions {
  clock: () => number;
  counters: LinkCounters;
  logger: LinkLogger;
  /** Where acknowledgements go out. */
  publisher: Publisher;
  /** A message whose timestamp is further than this from the clock is dropped (message-age.ts); 0 = no check. */
  messageAgeWindowSeconds?: number;
}

type Sender = LinkedMachine;

const CODE_ID = /^[1-9][0-9]{0,14}$/;
const DELIVER_STATUS = /^[01]$/;
const FLOOR_STATUS = /^[0-9]{1,3}$/;
/** `client.keypad.locked`'s counts: a positive whole number, at most a day's seconds or so. */
const KEYPAD_COUNT = /^[1-9][0-9]{0,5}$/;
/** delivery_callback.md's reasons are short English phrases ("Goods are Stuck"). */
const MAX_ERROR_MSG = 128;

/** Network facts are free text from the machine: keep them short. */
function short(text: string | undefined): string {
  return (text ?? '').slice(0, 32);
}

export class MachineInbox {
  /** One machine's messages are handled in the order they arrived. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Acknowledgements on their way to the broker. */
  private readonly acknowledgements = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly options: InboxOptions,
  ) {}

  receive(bytes: Uint8Array): Promise<void> {
    const message = parseMachineMessage(bytes);
    if (!message) return Promise.resolve(this.drop('malformed', {}));
    return this.inOrder(message.clientId, () => this.handle(message), message.method);
  }

  /** Runs `work` after everything queued before for that machine. */
  private inOrder(machineNo: string, work: () => Promise<void>, method = ''): Promise<void> {
    const previous = this.queues.get(machineNo) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.options.logger.error({ err: error, machine_no: machineNo.slice(0, 32), method: method.slice(0, 64) }, 'machine message failed');
    });
    this.queues.set(machineNo, next);
    void next.then(() => {
      if (this.queues.get(machineNo) === next) this.queues.delete(machineNo);
    });
    return next;
  }

  /** Resolves when every message received so far has been handled. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await Promise.all([...this.acknowledgements]);
  }

  private drop(reason: keyof LinkCounters['dropped'], context: Record<string, unknown>): void {
    this.options.counters.dropped[reason]++;
    this.options.logger.warn({ reason, ...context }, 'machine message dropped');
  }

  private async handle(message: ReceivedMessage): Promise<void> {
    const where = { machine_no: message.clientId.slice(0, 32), method: message.method.slice(0, 64) };
    const sender = await machines.findLinked(this.store.db, message.clientId);
    if (!sender) return this.drop('unknownMachine', where);
    if (!signatureHolds(message, sender.appid)) return this.drop('badSignature', where);
    if (isFarOff(message.fields, this.options.clock(), this.options.messageAgeWindowSeconds ?? 0)) return this.drop('farOffTimestamp', where);
    const claimedId = message.fields.machine_id;
    // Identity is the MQTT login (the broker checks client_id against it); machine_id is
    // whatever the firmware sends: "0" before it learns its id, "000" as in the docs' examples.
    if (claimedId && claimedId !== String(sender.id)) this.options.logger.debug({ ...where, machine_id: claimedId.slice(0, 32) }, 'machine_id is not the stored id');

    const now = this.options.clock();
    const fields = message.fields;
    // A machine saying, in this very message, that it speaks the extensions needs no catch-up.
    const saysExtended = message.method === MACHINE_METHOD.PULL || fields[EXTENDED_LINK_FIELD] === EXTENDED_LINK_VALUE;
    if (message.method !== MACHINE_METHOD.OFFLINE && sender.is_online === 0 && !saysExtended) await this.catchUpIfOriginal(sender, now);
    switch (message.method) {
      case MACHINE_METHOD.CODE_REDEEMED: {
        const codeId = fields.id ?? '';
        // An empty field is an absent one (the signature skips it too): an old machine.
        const reportId = fields.report_id || undefined;
        if (!CODE_ID.test(codeId) || (reportId !== undefined && !REPORT_ID.test(reportId))) {
          return this.drop('invalidFields', { ...where, id: codeId.slice(0, 32) });
        }
        const { outcome, conflict } = await this.changeSeen(sender, now, (work) => redeemReportedCode(work, sender, Number(codeId), reportId));
        if (outcome === 'duplicate') this.options.counters.duplicates++;
        if (conflict) this.options.counters.conflicts++;
        this.options.logger.info({ ...where, pickup_code_id: Number(codeId), report_id: reportId, outcome }, 'code redeemed at machine');
        if (reportId !== undefined) this.acknowledge(sender, reportAcknowledgement(codeId, reportId, outcome), reportId, now);
        break;
      }
      case MACHINE_METHOD.VEND_RESULT:
        if (!(await this.settleVend(sender, fields, where, now))) return;
        break;
      case MACHINE_METHOD.PULL:
        // A pull is an extension: the machine that sends one speaks them.
        await this.changeSeen(sender, now, async (work) => {
          await machines.markExtended(work.trx, sender.id);
          await outbox.enqueue(work, sender.id, [syncMessage()], work.now);
        });
        break;
      case MACHINE_METHOD.HEARTBEAT:
        await this.changeSeen(
          sender,
          now,
          async (work) => {
            if (fields[EXTENDED_LINK_FIELD] === EXTENDED_LINK_VALUE) await machines.markExtended(work.trx, sender.id);
          },
          { network_type: short(fields.network_type), network_rssi: short(fields.network_rssi) },
        );
        break;
      case MACHINE_METHOD.PRODUCT_PUT:
      case MACHINE_METHOD.PRODUCT_RESTOCK:
        if (!(await this.changeStock(sender, message.method, fields, where, now))) return;
        break;
      case MACHINE_METHOD.KEYPAD_LOCKED: {
        const wrongCodes = fields[KEYPAD_LOCK_FIELDS.wrongCodes] ?? '';
        const lockSeconds = fields[KEYPAD_LOCK_FIELDS.lockSeconds] ?? '';
        if (!KEYPAD_COUNT.test(wrongCodes) || !KEYPAD_COUNT.test(lockSeconds)) return this.drop('invalidFields', where);
        const lock = { wrongCodes: Number(wrongCodes), lockSeconds: Number(lockSeconds) };
        await this.changeSeen(sender, now, (work) => recordKeypadLock(work, sender, lock));
        this.options.logger.warn({ ...where, wrong_codes: lock.wrongCodes, lock_seconds: lock.lockSeconds }, 'keypad locked after wrong codes');
        break;
      }
      case MACHINE_METHOD.OFFLINE:
        await runChange(this.store, machineAuthor(sender, now), (work) => recordMachineGone(work, sender, short(fields.reason)));
        this.options.logger.info({ ...where, reason: short(fields.reason) }, 'machine went offline');
        break;
      default:
        return this.drop('unknownMethod', where);
    }
    countByMethod(this.options.counters, 'handled', message.method);
  }

  /**
   * A machine on the original firmware back from an absence (its first message while offline,
   * or its subscription on the embedded broker) is brought to the live set (machine-catch-up.ts)
   * and is online again.
   */
  private async catchUpIfOriginal(sender: Sender, now: number): Promise<void> {
    if (linkProfileOf(sender) !== 'original') return;
    // Seen in the same transaction: the next message (or the subscription) catches up no more.
    const count = await this.changeSeen(sender, now, (work) => queueCatchUp(work, sender));
    this.options.logger.info({ machine_no: sender.machine_no, messages: count }, 'catch-up of an original machine queued');
  }

  /** The machine subscribed to its topic on the embedded broker: it may have missed pushes. */
  machineListening(machineNo: string): Promise<void> {
    return this.inOrder(machineNo, async () => {
      const sender = await machines.findLinked(this.store.db, machineNo);
      if (sender) await this.catchUpIfOriginal(sender, this.options.clock());
    });
  }

  /** A stock report changes the products' stock and sale state, all or nothing; false when dropped. */
  private async changeStock(sender: Sender, method: string, fields: Record<string, string>, where: Record<string, string>, now: number): Promise<boolean> {
    const report = parseStockReport(method, fields);
    if (!report) {
      this.drop('invalidFields', where);
      return false;
    }
    try {
      const changed = await this.changeSeen(sender, now, (work) => applyStockReport(work, sender.id, report));
      this.options.logger.info({ ...where, products: changed, ...(report.kind === 'put' ? { lock_id: report.lockId?.slice(0, 32) } : {}) }, 'stock reported by machine');
      return true;
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      this.drop('invalidFields', { ...where, refused: error.refusal.refused });
      return false;
    }
  }

  /** A vend's result: the delivery settled once, however often the machine sends it; false when dropped. */
  private async settleVend(sender: Sender, fields: Record<string, string>, where: Record<string, string>, now: number): Promise<boolean> {
    const deliveryId = fields.delivery_id ?? '';
    const reportId = fields.report_id || undefined;
    const deliverStatus = fields.deliver_status ?? '';
    const floorStatus = fields.floor_status ?? '';
    if (!CODE_ID.test(deliveryId) || !DELIVER_STATUS.test(deliverStatus) || !FLOOR_STATUS.test(floorStatus) || (reportId !== undefined && !REPORT_ID.test(reportId))) {
      this.drop('invalidFields', { ...where, delivery_id: deliveryId.slice(0, 32) });
      return false;
    }
    const result = { deliverStatus: Number(deliverStatus) as 0 | 1, floorStatus: Number(floorStatus), errorMsg: (fields.error_msg ?? '').slice(0, MAX_ERROR_MSG) };
    const outcome = await this.changeSeen(sender, now, (work) => settleVendResult(work, sender, Number(deliveryId), result));
    if (outcome === 'duplicate') this.options.counters.duplicates++;
    this.options.logger.info(
      { ...where, delivery_id: Number(deliveryId), report_id: reportId, deliver_status: result.deliverStatus, floor_status: result.floorStatus, outcome },
      'vend result',
    );
    if (reportId !== undefined) this.acknowledge(sender, vendResultAcknowledgement(deliveryId, reportId, outcome), reportId, now);
    return true;
  }

  /**
   * Tells the machine its report is committed, so it stops re-sending it. Not awaited in the
   * machine's queue: a lost acknowledgement only means the report comes again and is
   * acknowledged again, while waiting would hold the machine's next messages behind a PUBACK.
   */
  private acknowledge(sender: Sender, acknowledgement: MachineMessage, reportId: string, now: number): void {
    const payload = encodeMachineMessage(
      { machineId: sender.id, machineNo: sender.machine_no, method: acknowledgement.method, timestamp: now },
      acknowledgement.fields,
      sender.appid,
    );
    const sending = this.options.publisher.publish(machineTopic(sender.machine_no), payload).then(
      () => {
        countByMethod(this.options.counters, 'acknowledged', acknowledgement.method);
      },
      (error: unknown) => {
        this.options.logger.warn({ err: (error as Error).message, machine_no: sender.machine_no, report_id: reportId }, 'acknowledging a report failed; the machine will send it again');
      },
    );
    this.acknowledgements.add(sending);
    void sending.finally(() => this.acknowledgements.delete(sending));
  }

  /**
   * Runs the change a machine's message asks for, with the machine seen (and online again,
   * announced once) in the same transaction: the one place presence is recorded for every
   * message but the machine's goodbye.
   */
  private changeSeen<T>(sender: Sender, now: number, change: (work: Work) => Promise<T>, network?: NetworkFacts): Promise<T> {
    return runChange(this.store, machineAuthor(sender, now), async (work) => {
      await recordMachineSeen(work, sender, network);
      return change(work);
    });
  }
}

/** The author of every change a machine's message makes: the machine, at the message's `now`. */
function machineAuthor(sender: Sender, now: number): Author {
  return authorAt(`machine:${sender.machine_no}`, now);
}

/**
 * Machines silent for longer than the timeout are offline. One conditional UPDATE, so any
 * number of instances may run it at once.
 */
export async function sweepSilentMachines(store: Store, now: number, timeoutSeconds: number): Promise<number> {
  return runChange(store, authorAt('link', now), (work) => markSilentMachinesOffline(work, timeoutSeconds));
}
