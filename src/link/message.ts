/**
 * Machine messages (MACHINE-LINK.md): base64 of a JSON object of strings, signed like an
 * Open API payload but with the owning merchant's Appid as the key. Both ends of the link
 * (the server and the machine simulator) encode and check messages here, through the one
 * payload codec and the one signature of src/protocol/.
 */
import { decodePayload, encodeSignedPayload, textFields, type Payload } from '../protocol/payload.js';
import { verifySignature } from '../protocol/signature.js';

/** MQTT's registered port; the embedded broker listens there unless told otherwise. */
export const DEFAULT_MQTT_PORT = 1883;

/** Machines publish here; the server subscribes. */
export const SERVER_TOPIC = '/server/app';

/** The server publishes a machine's messages here; only that machine may subscribe. */
export function machineTopic(machineNo: string): string {
  return `/clients/${machineNo}`;
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

/** A message whose shape is right; its signature is not checked yet (the key depends on the machine). */
export interface ReceivedMessage {
  /** The text fields the handlers read. */
  fields: Record<string, string>;
  /** Everything the machine signed, nested values included. */
  signed: Payload;
  clientId: string;
  method: string;
}

/** Parses raw bytes; undefined for anything that is not a well-formed machine message. */
export function parseMachineMessage(bytes: Uint8Array | string): ReceivedMessage | undefined {
  let signed: Payload;
  try {
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
    signed = decodePayload(text);
  } catch {
    return undefined;
  }
  const fields = textFields(signed);
  const { client_id: clientId, method, sign } = fields;
  if (!clientId || !method || !sign) return undefined;
  return { fields, signed, clientId, method };
}

/** Whether the message is signed with this key, in any form the Open API accepts. */
export function signatureHolds(message: ReceivedMessage, appid: string): boolean {
  return verifySignature(message.signed, appid) !== undefined;
}
