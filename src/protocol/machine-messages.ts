/**
 * The machine link's messages (MACHINE-LINK.md): topics, method names, the fields of each
 * message and their wire form. A message is base64 of a JSON object of strings, signed like
 * an Open API payload but with the owning merchant's Appid as the key. Both ends of the link
 * (the server and the machine simulator) build messages here; nothing here does I/O.
 */
import { encodeSignedPayload } from './payload.js';
import { formatWallTime } from './time.js';

/** Machines publish here; the server subscribes. */
export const SERVER_TOPIC = '/server/app';

/** The server publishes a machine's messages here; only that machine may subscribe. */
export function machineTopic(machineNo: string): string {
  return `/clients/${machineNo}`;
}

/** The machine_no of a machine's topic; undefined for any other topic. */
export function machineNoOfTopic(topic: string): string | undefined {
  const machineNo = topic.startsWith('/clients/') ? topic.slice('/clients/'.length) : '';
  return machineNo && !machineNo.includes('/') ? machineNo : undefined;
}

export const MACHINE_METHOD = {
  CODE_CREATED: 'client.pickup_codes.create',
  CODE_DELETED: 'client.pickup_codes.delete',
  CODES_SYNC: 'client.pickup_codes.sync',
  CODE_REDEEMED: 'client.pickup_codes.put',
  /** Extension: the server committed the report named by `report_id` (docs/mqtt.md). */
  REPORT_ACKNOWLEDGED: 'client.pickup_codes.put.ack',
  PULL: 'client.pickup_codes.pull',
  HEARTBEAT: 'client.heartbeat',
  OFFLINE: 'client.offline',
  /** The docs' test vend (channel.debugging.md), which the original firmware knows. */
  CHANNEL_DEBUGGING: 'client.channel.debugging',
  /** Stock of one product as the machine counts it (product.put.md). */
  PRODUCT_PUT: 'client.product.put',
  /** Products refilled or taken off sale at the machine (product.restock.md). */
  PRODUCT_RESTOCK: 'client.product.restock',
  /** Extension: vend one item (docs/mqtt.md, "Deliveries"), modelled on `client.channel.debugging`. */
  VEND: 'client.channel.delivery',
  /** Extension, from the machine: how the vend named by `delivery_id` ended. */
  VEND_RESULT: 'client.channel.delivery.result',
  /** Extension: the server committed the vend result (and tells what became of it). */
  VEND_RESULT_ACKNOWLEDGED: 'client.channel.delivery.result.ack',
  /** Extension, from the machine: its keypad locked after wrong codes in a row (docs/mqtt.md, docs/security.md). */
  KEYPAD_LOCKED: 'client.keypad.locked',
} as const;

/** The fields of `client.keypad.locked`: the wrong codes in a row, and how long the keypad stays locked. */
export const KEYPAD_LOCK_FIELDS = { wrongCodes: 'wrong_codes', lockSeconds: 'lock_seconds' } as const;

/**
 * Extension field of `client.heartbeat` by which a machine says it speaks vendcloud's
 * extensions (docs/mqtt.md, "Link profiles"); the original firmware never sends it.
 */
export const EXTENDED_LINK_FIELD = 'link';
export const EXTENDED_LINK_VALUE = 'extended';

/** Pushes about the machine's code list: a sync carries the whole list, so it supersedes them (and only them). */
export const CODE_LIST_METHODS: readonly string[] = [MACHINE_METHOD.CODE_CREATED, MACHINE_METHOD.CODE_DELETED, MACHINE_METHOD.CODES_SYNC];

/**
 * What a machine on the original firmware gets for an outbox row: the docs' message itself,
 * a test vend as the docs' `client.channel.debugging`, or nothing for an extension it would
 * not understand (docs/mqtt.md, "Link profiles").
 */
export function originalFormOf(method: string, fields: Record<string, string>): MachineMessage | undefined {
  if (method === MACHINE_METHOD.CODE_CREATED || method === MACHINE_METHOD.CODE_DELETED) return { method, fields };
  if (method === MACHINE_METHOD.VEND && fields.order_type === 'test') {
    const { floor_type = '1', is_lp = '0', is_dc = '0', code = '0', addr = '1' } = fields;
    return { method: MACHINE_METHOD.CHANNEL_DEBUGGING, fields: { floor_type, is_lp, is_dc, code, addr, order_type: 'test' } };
  }
  return undefined;
}

/** What a vend command names: the channel as channel.debugging.md does, and the delivery. */
export interface VendCommand {
  deliveryId: number;
  /** Null for a test vend. */
  orderId: number | null;
  recordId: number | null;
  floorType: number;
  hasLift: boolean;
  dropDetection: boolean;
  /** The channel's number (%100) and its driver board (1-8). */
  channel: number;
  addr: number;
  quantity: number;
  /** Unix seconds after which the machine must not vend any more: the server has given up on it by then. */
  deadline: number;
}

/** The vend command (extension `client.channel.delivery`); `order_type` as channel.debugging.md: `normal` or `test`. */
export function vendMessage(command: VendCommand): MachineMessage {
  return {
    method: MACHINE_METHOD.VEND,
    fields: {
      floor_type: String(command.floorType || 1),
      is_lp: command.hasLift ? '1' : '0',
      is_dc: command.dropDetection ? '1' : '0',
      code: String(command.channel),
      addr: String(command.addr),
      order_type: command.orderId === null ? 'test' : 'normal',
      delivery_id: String(command.deliveryId),
      order_id: command.orderId === null ? '' : String(command.orderId),
      record_id: command.recordId === null ? '' : String(command.recordId),
      quantity: String(command.quantity),
      deadline: String(command.deadline),
    },
  };
}

/** What became of a vend result: `settled` the first time, `duplicate` for one handled before, `unknown-delivery`. */
export type VendResultOutcome = 'settled' | 'duplicate' | 'unknown-delivery';

export function vendResultAcknowledgement(deliveryId: string, reportId: string, outcome: VendResultOutcome): MachineMessage {
  return { method: MACHINE_METHOD.VEND_RESULT_ACKNOWLEDGED, fields: { delivery_id: deliveryId, report_id: reportId, outcome } };
}

/** A message for a machine: its method and its own fields, without the envelope fields. */
export interface MachineMessage {
  method: string;
  fields: Record<string, string>;
}

/** A code as the machine's list holds it. */
export interface CodeOnMachine {
  id: number;
  product_id: number;
  code: string;
  quantity: number;
  /** Unix seconds, or null for a code that never expires. */
  expired_at: number | null;
}

/** A code as the machine's list holds it (MACHINE-LINK.md, create and sync). */
export function codeForMachine(code: CodeOnMachine, timeZone: string): Record<string, string> {
  return {
    id: String(code.id),
    product_id: String(code.product_id),
    code: code.code,
    quantity: String(code.quantity),
    expired_at: code.expired_at === null ? '0' : String(code.expired_at * 1000),
    expired_day: code.expired_at === null ? '' : formatWallTime(code.expired_at, timeZone),
  };
}

export function codeCreatedMessage(code: CodeOnMachine, timeZone: string): MachineMessage {
  return { method: MACHINE_METHOD.CODE_CREATED, fields: { ...codeForMachine(code, timeZone), used: '0' } };
}

/** The code left the machine's keypad list (cancelled or spent). */
export function codeDeletedMessage(codeId: number): MachineMessage {
  return { method: MACHINE_METHOD.CODE_DELETED, fields: { id: String(codeId) } };
}

/** The machine's list is rebuilt from the database when this message is sent. */
export function syncMessage(): MachineMessage {
  return { method: MACHINE_METHOD.CODES_SYNC, fields: {} };
}

/** The fields of a sync as sent: every live code, and the newest outbox row the list reflects. */
export function syncFields(codes: CodeOnMachine[], timeZone: string, revision: number): Record<string, string> {
  return {
    codes: JSON.stringify(codes.map((code) => codeForMachine(code, timeZone))),
    // The revision only grows, so a machine can ignore an older list.
    revision: String(revision),
  };
}

/** What a machine chooses as a report id: short, printable, safe to log and echo. */
export const REPORT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** What became of a redemption a machine reported; `duplicate` for a report handled before. */
export type ReportOutcome = 'redeemed' | 'redeemed-after-cancel' | 'already-used' | 'unknown-code' | 'duplicate';

/** The acknowledgement of a report (extension `client.pickup_codes.put.ack`). */
export function reportAcknowledgement(codeId: string, reportId: string, outcome: ReportOutcome): MachineMessage {
  return { method: MACHINE_METHOD.REPORT_ACKNOWLEDGED, fields: { id: codeId, report_id: reportId, outcome } };
}

/** What every message carries besides its method-specific fields. */
export interface MessageEnvelope {
  machineId: number | string;
  machineNo: string;
  method: string;
  /** Unix seconds. */
  timestamp: number;
}

/** The wire form: envelope fields win over body fields of the same name. */
export function encodeMachineMessage(envelope: MessageEnvelope, body: Record<string, string>, appid: string): string {
  return encodeSignedPayload(
    {
      ...body,
      timestamp: String(envelope.timestamp),
      machine_id: String(envelope.machineId),
      client_id: envelope.machineNo,
      method: envelope.method,
      status: '0',
    },
    appid,
  );
}
