/**
 * What each error code means to a person, in English, and what usually fixes it. The wire
 * envelope keeps the original platform's message (merchants' integrations compare it); these
 * words are for the people reading an error: the CLI prints them, the SDK's OpenApiError
 * carries them, the console shows them, and docs/errors.md is checked against them.
 */
import { ErrorCode } from './errors.js';

export interface ErrorExplanation {
  /** What happened. */
  readonly meaning: string;
  /** What to do about it. */
  readonly fix: string;
}

export const ERROR_EXPLANATIONS: Readonly<Record<ErrorCode, ErrorExplanation>> = {
  [ErrorCode.OK]: { meaning: 'Success.', fix: 'Nothing to do.' },
  [ErrorCode.BAD_REQUEST]: {
    meaning: 'The HTTP request itself is malformed: not JSON, no payload, a bad header or content type.',
    fix: 'Send POST/PUT with a JSON body {"payload": "<base64>"} (docs/protocol.md).',
  },
  [ErrorCode.NOT_FOUND]: { meaning: 'No endpoint at this path.', fix: 'Check the path against docs/protocol.md; every path starts with /api/openapi/v1.' },
  [ErrorCode.METHOD_NOT_ALLOWED]: { meaning: 'This path does not take this HTTP verb.', fix: 'Use the verb the endpoint documents (e.g. PUT /pickup_codes to cancel).' },
  [ErrorCode.REQUEST_TIMEOUT]: { meaning: 'The request body did not arrive in time.', fix: 'Check the network between you and the server, then send again.' },
  [ErrorCode.TOO_MANY_REQUESTS]: {
    meaning: 'Too many requests for this Appid (or from this address) in the current minute.',
    fix: 'Wait the seconds the Retry-After header gives, then send again; spread bulk work out.',
  },
  [ErrorCode.INTERNAL_ERROR]: { meaning: 'The server failed unexpectedly; nothing was changed.', fix: 'Send again; if it persists, give the operator the request id.' },
  [ErrorCode.SERVICE_UNAVAILABLE]: {
    meaning: 'The server cannot reach its database right now; nothing was changed.',
    fix: 'Send again in a few seconds (with an idempotency key, a retry is safe).',
  },
  [ErrorCode.FIELD_INVALID]: {
    meaning: 'A field of the payload is missing, malformed or out of range (the message names it); or an idempotency key was reused with other fields.',
    fix: 'Correct the named field (docs/protocol.md lists each endpoint’s fields and formats).',
  },
  [ErrorCode.SIGN_INVALID]: {
    meaning: 'The payload’s sign does not match its fields (or the Vendcloud-Request-Signature header is missing where the merchant requires it, or wrong).',
    fix: 'The signing key is the merchant_id (a number), not the AppSecret: MD5 of the non-empty fields sorted by name as k=v&k=v, then &key=<merchant_id>, uppercase. The server tried every form the platform’s libraries sign in (raw values, query-escaped, URI-encoded twice), so check the merchant id you sign with (`vendcloud ping` tells) and that every field sent is signed.',
  },
  [ErrorCode.TIMESTAMP_INVALID]: {
    meaning: 'The payload’s timestamp is missing or too far from the server’s clock.',
    fix: 'Send the current Unix time in seconds and keep your clock synchronised (NTP).',
  },
  [ErrorCode.METHOD_INVALID]: { meaning: 'The payload’s method field names no operation of this endpoint.', fix: 'Use a method the endpoint documents (e.g. pickup_code.delete.id).' },
  [ErrorCode.CREDENTIALS_EMPTY]: { meaning: 'The Appid or AppSecret header is missing or empty.', fix: 'Send both headers, Appid and AppSecret, with every request.' },
  [ErrorCode.MERCHANT_EXPIRED]: { meaning: 'The merchant’s account has expired.', fix: 'Ask the operator to renew the merchant.' },
  [ErrorCode.MERCHANT_NOT_VERIFIED]: { meaning: 'The merchant’s account is not verified, or the operator has suspended it.', fix: 'Ask the operator to verify or re-enable the merchant.' },
  [ErrorCode.APP_SECRET_INVALID]: { meaning: 'The AppSecret does not match this Appid.', fix: 'Use the AppSecret issued with this Appid (it may have been rotated).' },
  [ErrorCode.APPID_INVALID]: { meaning: 'No merchant has this Appid.', fix: 'Check the Appid header; it is printed when the merchant is created.' },
  [ErrorCode.PICKUP_CODES_DISABLED]: { meaning: 'Pickup codes are not switched on for this machine.', fix: 'Switch them on (`vendcloud machine set --pickup-codes on`).' },
  [ErrorCode.PICKUP_CODE_EXPIRED]: { meaning: 'The pickup code has passed its expiry time.', fix: 'Create a new code for the customer.' },
  [ErrorCode.PICKUP_CODE_USED]: { meaning: 'The pickup code was already used, so it can be neither consumed nor cancelled (data.order_id names its order).', fix: 'Nothing to redo: look up that order rather than consuming again.' },
  [ErrorCode.TOO_MANY_WRONG_CODES]: {
    meaning: 'Too many wrong pickup codes were tried on this machine lately; its consumes are refused until the window ends (docs/security.md).',
    fix: 'Wait the seconds the Retry-After header gives. If nobody at your side was mistyping, someone is guessing codes: cancel the machine’s codes and rotate the AppSecret.',
  },
  [ErrorCode.NO_MACHINE]: { meaning: 'The merchant has no machine yet.', fix: 'Add a machine (`vendcloud machine create`).' },
  [ErrorCode.MACHINE_OFFLINE]: { meaning: 'The machine is offline: it has not been heard from recently.', fix: 'Check the machine’s power and network; send again once it is online.' },
  [ErrorCode.MACHINE_NOT_FOUND]: { meaning: 'No machine with this machine_no belongs to this merchant (another merchant’s machine is answered the same way).', fix: 'Check machine_no and that the machine is this merchant’s (`vendcloud machines` lists them).' },
  [ErrorCode.MACHINE_NOT_OPERATING]: {
    meaning: 'The machine is switched out of operation, so it sells nothing.',
    fix: 'Switch it back into operation (`vendcloud machine set --operating on`).',
  },
  [ErrorCode.MACHINE_BUSY]: { meaning: 'The machine is vending another item right now; nothing was queued.', fix: 'Send again after its current delivery has a result.' },
  [ErrorCode.MACHINE_CANNOT_VEND]: {
    meaning: 'The machine runs the original firmware, which has no vend command: nothing was queued.',
    fix: 'Let the customer redeem the code at the machine’s keypad, or, if the machine runs vendcloud’s extensions, set `vendcloud machine set --link extended`.',
  },
  [ErrorCode.PRODUCT_NOT_FOUND]: { meaning: 'No product with this id on this machine.', fix: 'Check product_id against the machine’s product list.' },
  [ErrorCode.PRODUCT_OFF_SALE]: { meaning: 'The product is off sale on this machine.', fix: 'Put it back on sale (restock it) first.' },
  [ErrorCode.PRODUCT_OUT_OF_STOCK]: { meaning: 'The product has too little stock for this request.', fix: 'Restock the machine, or ask for fewer codes.' },
  [ErrorCode.RECORD_NOT_FOUND]: {
    meaning: 'Nothing found: no such code, order or delivery for this merchant and machine, or it is no longer in a state the request applies to.',
    fix: 'Check the id and machine_no; a code already cancelled or used is not found again.',
  },
  [ErrorCode.RECORD_NOT_DELIVERABLE]: {
    meaning: 'The order is not paid, or this record is not waiting for delivery (already delivered or being delivered).',
    fix: 'Read the order (POST /orders/{id}) to see the record’s state before delivering.',
  },
};

/** The explanation of a code the server sent, or a plain one for a code this version does not know. */
export function explainError(code: number): ErrorExplanation {
  return (
    (ERROR_EXPLANATIONS as Record<number, ErrorExplanation | undefined>)[code] ?? {
      meaning: `Error code ${code}, unknown to this version of vendcloud.`,
      fix: 'See the server’s docs/errors.md.',
    }
  );
}
