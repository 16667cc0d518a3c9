/**
 * The operator's revocations and the merchant's safer choices (docs/security.md): the flags
 * `merchant set` and `machine set` take for credentials, what they change, and what they
 * print. New secrets are printed once; the old ones stop working on every running instance
 * within a second.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { isLiveCodesLimit, LIVE_CODES_LIMITS, type LiveCodesLimit } from '../domain/live-codes-limit.js';
import { rotateAppSecret, rotateMqttPassword, rotateSigningSecret, setMachine, setMerchant } from '../service/admin.js';
import type { Store } from '../store/store.js';
import { parseOnOff } from './output.js';

export interface MerchantCredentialFlags {
  rotateAppSecret?: boolean;
  suspend?: boolean;
  rotateSigningSecret?: boolean;
  requireSignature?: boolean;
  liveCodesLimit?: LiveCodesLimit;
}

export function withMerchantCredentialOptions(command: Command): Command {
  return command
    .option('--rotate-app-secret', 'replace the AppSecret and print the new one (shown once); the old one answers 10013 at once')
    .option('--suspend <on|off>', "on: every request of the merchant answers 10010 until it is off; its cached row is dropped at once", parseOnOff)
    .option('--rotate-signing-secret', 'make a new key for the HMAC request signature and print it (shown once; docs/security.md)')
    .option('--require-signature <on|off>', 'on: refuse requests without a valid Vendcloud-Request-Signature header', parseOnOff)
    .option(
      '--live-codes-limit <limit>',
      `${LIVE_CODES_LIMITS.join('|')}: a create may not make a product's live codes exceed its stock (or capacity); refused with 10001 naming count. off (the default) as the original`,
      parseLiveCodesLimit,
    );
}

function parseLiveCodesLimit(value: string): LiveCodesLimit {
  if (!isLiveCodesLimit(value)) throw new InvalidArgumentError(`must be one of ${LIVE_CODES_LIMITS.join(', ')}`);
  return value;
}

export function changesMerchantCredentials(flags: MerchantCredentialFlags): boolean {
  return (
    flags.rotateAppSecret === true || flags.suspend !== undefined || flags.rotateSigningSecret === true || flags.requireSignature !== undefined || flags.liveCodesLimit !== undefined
  );
}

/** Applies the flags; what to print (new secrets included, once). */
export async function applyMerchantCredentials(store: Store, merchantId: number, flags: MerchantCredentialFlags): Promise<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  const { suspend, requireSignature, liveCodesLimit } = flags;
  if (suspend !== undefined || requireSignature !== undefined || liveCodesLimit !== undefined) {
    await setMerchant(store, merchantId, { suspended: suspend, requireSignature, liveCodesLimit });
    if (suspend !== undefined) value.suspended = suspend;
    if (requireSignature !== undefined) value.require_signature = requireSignature;
    if (liveCodesLimit !== undefined) value.live_codes_limit = liveCodesLimit;
  }
  if (flags.rotateAppSecret) Object.assign(value, await rotateAppSecret(store, merchantId));
  if (flags.rotateSigningSecret) Object.assign(value, await rotateSigningSecret(store, merchantId));
  return value;
}

export function merchantCredentialLines(merchantId: number, value: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (value.suspended !== undefined) lines.push(`merchant ${merchantId}: ${value.suspended ? 'suspended: every request is refused (10010)' : 'no longer suspended'}`);
  if (value.require_signature !== undefined) lines.push(`merchant ${merchantId}: ${value.require_signature ? 'every request must carry Vendcloud-Request-Signature' : 'requests without a signature header are accepted'}`);
  if (value.live_codes_limit !== undefined) lines.push(`merchant ${merchantId}: live-codes limit ${String(value.live_codes_limit)}`);
  if (value.app_secret !== undefined) lines.push(`app_secret: ${String(value.app_secret)}  (shown once; the old one is refused now)`);
  if (value.signing_secret !== undefined) lines.push(`signing_secret: ${String(value.signing_secret)}  (shown once; keys Vendcloud-Request-Signature)`);
  return lines;
}

export interface MachineCredentialFlags {
  rotateMqttPassword?: boolean;
  disable?: boolean;
}

export function withMachineCredentialOptions(command: Command): Command {
  return command
    .option('--rotate-mqtt-password', 'replace the MQTT password and print the new one (shown once); a connection logged in with the old one is closed')
    .option('--disable <on|off>', 'on: the machine may not log in to the link, and its connection is closed', parseOnOff);
}

export function changesMachineCredentials(flags: MachineCredentialFlags): boolean {
  return flags.rotateMqttPassword === true || flags.disable !== undefined;
}

export async function applyMachineCredentials(store: Store, machineNo: string, flags: MachineCredentialFlags): Promise<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  if (flags.disable !== undefined) {
    await setMachine(store, machineNo, { disabled: flags.disable });
    value.disabled = flags.disable;
  }
  if (flags.rotateMqttPassword) Object.assign(value, await rotateMqttPassword(store, machineNo));
  return value;
}

export function machineCredentialLines(machineNo: string, value: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (value.disabled !== undefined) lines.push(`machine ${machineNo}: ${value.disabled ? 'disabled: it may not log in to the link' : 'enabled'}`);
  if (value.mqtt_password !== undefined) lines.push(`mqtt_password: ${String(value.mqtt_password)}  (shown once; the old one is refused now)`);
  return lines;
}
