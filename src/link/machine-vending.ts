/**
 * The simulated machine's vending (docs/mqtt.md, "Deliveries"): it takes a vend command,
 * spends its vend time, and reports the result with a report id, sending it again after a
 * reconnect or on the resend timer until the server acknowledges it. A fault makes every
 * vend fail one way, so each path of a delivery can be driven by hand and by tests.
 */
import { FLOOR_STATUS } from '../domain/deliveries.js';
import { MACHINE_METHOD } from '../protocol/machine-messages.js';

export const VEND_FAULTS = ['none', 'jam', 'motor-fault', 'no-reply'] as const;
export type VendFault = (typeof VEND_FAULTS)[number];

/** What each fault makes the machine report (delivery_callback.md's floor_status and reasons). */
const RESULTS: Record<Exclude<VendFault, 'no-reply'>, { deliver_status: string; floor_status: string; error_msg: string }> = {
  none: { deliver_status: '1', floor_status: String(FLOOR_STATUS.OK), error_msg: '' },
  jam: { deliver_status: '0', floor_status: String(FLOOR_STATUS.JAMMED), error_msg: 'Goods are Stuck' },
  'motor-fault': { deliver_status: '0', floor_status: String(FLOOR_STATUS.MOTOR_FAULT), error_msg: 'Load No Current' },
};

/** How long a vend takes when not told: the docs' 500-1000 ms. */
const DEFAULT_VEND_MS = 800;

export interface VendingOptions {
  fault?: VendFault;
  vendMs?: number;
}

/** Publishes a result to the server; false when it could not go out now (it is kept and sent again). */
export type ResultSender = (method: string, body: Record<string, string>) => Promise<boolean>;

export class SimulatedVending {
  fault: VendFault;
  private readonly vendMs: number;
  /** Results not acknowledged yet, by report id. */
  private readonly pending = new Map<string, Record<string, string>>();
  /** Deliveries vended already: a command delivered twice vends once. */
  private readonly vended = new Set<string>();

  constructor(
    options: VendingOptions,
    private readonly send: ResultSender,
    private readonly log: (line: string) => void,
    private readonly clock: () => number,
  ) {
    this.fault = options.fault ?? 'none';
    this.vendMs = options.vendMs ?? DEFAULT_VEND_MS;
  }

  /** Results the server has not acknowledged yet. */
  unacknowledged(): number {
    return this.pending.size;
  }

  /** A vend command arrived; resolves once its result is sent (or withheld by `no-reply`). */
  async vend(fields: Record<string, string>): Promise<void> {
    const deliveryId = fields.delivery_id ?? '';
    if (!deliveryId || this.vended.has(deliveryId)) return;
    this.vended.add(deliveryId);
    if (Number(fields.deadline) > 0 && this.clock() > Number(fields.deadline)) {
      this.log(`not vending delivery ${deliveryId}: its deadline passed`);
      return;
    }
    this.log(`vending delivery ${deliveryId}: channel ${fields.code} board ${fields.addr} (${fields.order_type})`);
    await new Promise((resolve) => setTimeout(resolve, this.vendMs));
    if (this.fault === 'no-reply') {
      this.log(`delivery ${deliveryId}: no reply (fault injected)`);
      return;
    }
    const reportId = `v${deliveryId}`;
    const body = { delivery_id: deliveryId, report_id: reportId, ...RESULTS[this.fault] };
    this.pending.set(reportId, body);
    this.log(`delivery ${deliveryId}: ${body.deliver_status === '1' ? 'vended' : `failed (${body.error_msg})`}`);
    await this.sendOne(body);
  }

  /** Sends every result still waiting for its acknowledgement. */
  async resend(): Promise<void> {
    for (const body of [...this.pending.values()]) if (!(await this.sendOne(body))) return;
  }

  acknowledge(reportId: string): boolean {
    return this.pending.delete(reportId);
  }

  private async sendOne(body: Record<string, string>): Promise<boolean> {
    try {
      return await this.send(MACHINE_METHOD.VEND_RESULT, body);
    } catch (error) {
      this.log(`result of delivery ${body.delivery_id} not sent (${(error as Error).message}); sending it again later`);
      return false;
    }
  }
}
