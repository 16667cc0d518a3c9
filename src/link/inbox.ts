/**
 * Messages from machines (topic /server/app): checked (shape, known machine, signature
 * with the merchant's Appid) and then acted upon, each change in one transaction. Anything
 * that fails a check is dropped, counted and logged; nothing a machine sends can throw.
 */
import type { ChangeContext, MachineRef } from '../service/context.js';
import { enqueueForMachine, MACHINE_METHOD, syncMessage } from '../service/outbox.js';
import { redeemAtMachine } from '../service/pickup-codes.js';
import type { Store, Tx } from '../store/store.js';
import type { LinkCounters } from './counters.js';
import type { LinkLogger } from './logger.js';
import { parseMachineMessage, signatureHolds, type ReceivedMessage } from './message.js';

export interface InboxOptions {
  clock: () => number;
  counters: LinkCounters;
  logger: LinkLogger;
  /** Called after a transaction wrote outbox rows, so they leave at once. */
  outboxWritten: () => void;
}

type Sender = MachineRef & { appid: string };

const CODE_ID = /^[1-9][0-9]{0,14}$/;

/** Network facts are free text from the machine: keep them short. */
function short(text: string | undefined): string {
  return (text ?? '').slice(0, 32);
}

export class MachineInbox {
  /** One machine's messages are handled in the order they arrived. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly options: InboxOptions,
  ) {}

  receive(bytes: Uint8Array): Promise<void> {
    const message = parseMachineMessage(bytes);
    if (!message) return Promise.resolve(this.drop('malformed', {}));
    const previous = this.queues.get(message.clientId) ?? Promise.resolve();
    const next = previous.then(() => this.handle(message)).catch((error: unknown) => {
      this.options.logger.error({ err: error, machine_no: message.clientId.slice(0, 32), method: message.method.slice(0, 64) }, 'machine message failed');
    });
    this.queues.set(message.clientId, next);
    void next.then(() => {
      if (this.queues.get(message.clientId) === next) this.queues.delete(message.clientId);
    });
    return next;
  }

  /** Resolves when every message received so far has been handled. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  private drop(reason: keyof LinkCounters['dropped'], context: Record<string, unknown>): void {
    this.options.counters.dropped[reason]++;
    this.options.logger.warn({ reason, ...context }, 'machine message dropped');
  }

  private async handle(message: ReceivedMessage): Promise<void> {
    const where = { machine_no: message.clientId.slice(0, 32), method: message.method.slice(0, 64) };
    const sender = await this.store.db
      .selectFrom('machines')
      .innerJoin('merchants', 'merchants.id', 'machines.merchant_id')
      .select([
        'machines.id',
        'machines.machine_no',
        'machines.time_zone',
        'machines.merchant_id',
        'machines.pickup_codes_enabled',
        'machines.operating',
        'merchants.appid',
      ])
      .where('machines.machine_no', '=', message.clientId)
      .executeTakeFirst();
    if (!sender) return this.drop('unknownMachine', where);
    if (!signatureHolds(message, sender.appid)) return this.drop('badSignature', where);
    const claimedId = message.fields.machine_id;
    // A machine learns its numeric id from the server's messages; before that it sends "0".
    if (claimedId && claimedId !== '0' && claimedId !== String(sender.id)) return this.drop('wrongMachineId', where);

    const now = this.options.clock();
    const fields = message.fields;
    switch (message.method) {
      case MACHINE_METHOD.CODE_REDEEMED: {
        const codeId = fields.id ?? '';
        if (!CODE_ID.test(codeId)) return this.drop('invalidFields', { ...where, id: codeId.slice(0, 32) });
        const redemption = await this.store.write(async (trx) => {
          await markSeen(trx, sender, now);
          return redeemAtMachine(trx, this.context(sender, now), sender, Number(codeId));
        });
        this.options.logger.info({ ...where, pickup_code_id: Number(codeId), outcome: redemption.outcome }, 'code redeemed at machine');
        break;
      }
      case MACHINE_METHOD.PULL:
        await this.store.write(async (trx) => {
          await markSeen(trx, sender, now);
          await enqueueForMachine(trx, sender.id, [syncMessage()], now);
        });
        this.options.outboxWritten();
        break;
      case MACHINE_METHOD.HEARTBEAT:
        await this.store.write((trx) =>
          markSeen(trx, sender, now, { network_type: short(fields.network_type), network_rssi: short(fields.network_rssi) }),
        );
        break;
      case MACHINE_METHOD.OFFLINE:
        await this.store.write((trx) => trx.updateTable('machines').set({ is_online: 0 }).where('id', '=', sender.id).execute());
        this.options.logger.info({ ...where, reason: short(fields.reason) }, 'machine went offline');
        break;
      default:
        return this.drop('unknownMethod', where);
    }
    this.options.counters.handled++;
  }

  private context(sender: Sender, now: number): ChangeContext {
    return { actor: { name: `machine:${sender.machine_no}`, requestId: null }, now, dialect: this.store.dialect };
  }
}

/** Any message a machine sends shows it is alive. */
async function markSeen(trx: Tx, sender: Sender, now: number, network?: { network_type: string; network_rssi: string }): Promise<void> {
  await trx
    .updateTable('machines')
    .set({ is_online: 1, last_seen_at: now, ...network })
    .where('id', '=', sender.id)
    .execute();
}

/**
 * Machines silent for longer than the timeout are offline. One conditional UPDATE, so any
 * number of instances may run it at once.
 */
export async function sweepSilentMachines(store: Store, now: number, timeoutSeconds: number): Promise<number> {
  const result = await store.write((trx) =>
    trx
      .updateTable('machines')
      .set({ is_online: 0 })
      .where('is_online', '=', 1)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', now - timeoutSeconds)]))
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}
