/**
 * Machine messages as they arrive (their formats are in src/protocol/machine-messages.ts):
 * bytes parsed into fields, and the signature checked with the owning merchant's Appid,
 * through the one payload codec and the one signature of src/protocol/.
 */
import { decodePayload, textFields, type Payload } from '../protocol/payload.js';
import { verifySignature } from '../protocol/signature.js';

/** MQTT's registered port; the embedded broker listens there unless told otherwise. */
export const DEFAULT_MQTT_PORT = 1883;

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
