/**
 * `vendcloud payload sign|decode`: the signed payload of PROTOCOL.md §1–2 by hand, so an
 * integrator debugging a Go or PHP client can compare, byte for byte, with what the
 * protocol module (the server's own implementation) produces and accepts.
 */
import type { Command } from 'commander';
import { ApiError } from '../protocol/errors.js';
import { decodePayload, encodeSignedPayload, type Payload } from '../protocol/payload.js';
import { hashSignatureBase, SIGNING_FORM_CLIENTS, SIGNING_FORMS, signatureBaseIn, verifySignature, type SigningForm } from '../protocol/signature.js';
import { DEFAULT_TIME_ZONE, formatWallTime, nowSeconds } from '../protocol/time.js';
import { emit, EXIT, fail } from './output.js';

/** The fields of a JSON object given on the command line; numbers count as their decimal text, as the server reads them. */
function fieldsFromJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('--json is not valid JSON', EXIT.USAGE);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('--json must be a JSON object', EXIT.USAGE);
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) fields[name] = String(value);
    else if (value !== null) fail(`--json field ${name} must be a string or a number`, EXIT.USAGE);
  }
  return fields;
}

export function registerPayloadCommands(program: Command): void {
  const payload = program.command('payload').description('sign or decode an Open API payload');

  payload
    .command('sign')
    .description('print the signed base64 payload of these fields (adds timestamp = now when absent)')
    .requiredOption('--key <merchant_id>', 'the signing key: the merchant id')
    .requiredOption('--json <object>', 'the fields, e.g. \'{"machine_no":"10000001"}\'')
    .action((options: { key: string; json: string }) => {
      // Every signed request needs a fresh timestamp; one given is kept, so known vectors reproduce.
      const fields = { ...fieldsFromJson(options.json) };
      if (fields.timestamp === undefined) fields.timestamp = String(nowSeconds());
      delete fields.sign;
      process.stdout.write(`${encodeSignedPayload(fields, options.key)}\n`);
    });

  payload
    .command('decode')
    .description('print the fields of a payload; with --key, say which signing form its sign matches (exit 1 if none)')
    .argument('<base64>', 'the payload')
    .option('--key <merchant_id>', 'the signing key: the merchant id')
    .option('--time-zone <zone>', 'zone to show the timestamp in', DEFAULT_TIME_ZONE)
    .option('--json', 'print one JSON line')
    .action((encoded: string, options: { key?: string; timeZone: string; json?: boolean }) => {
      let fields: Payload;
      try {
        fields = decodePayload(encoded);
      } catch (error) {
        if (error instanceof ApiError) fail(`not a valid payload: ${error.message}`, EXIT.USAGE);
        throw error;
      }
      const check = options.key === undefined ? undefined : checkSign(fields, options.key);
      emit(!!options.json, { fields, ...check }, () => describeDecoded(fields, check, options.timeZone));
      if (check && !check.sign_valid) process.exit(EXIT.API_ERROR);
    });
}

/**
 * The verdict of the server's own verifier, the signed string of the form that matched
 * (of the first form that can sign the payload when none did), and the sign each form
 * expects, so a client's mistake shows which form it meant.
 */
function checkSign(fields: Payload, key: string) {
  const match = verifySignature(fields, key);
  const bases = SIGNING_FORMS.map((form) => [form, signatureBaseIn(form, fields, key)] as const);
  const shown = bases.find(([form, base]) => (match ? form === match.form : base !== undefined))?.[1];
  return {
    sign_valid: match !== undefined,
    sign_form: match?.form ?? null,
    signature_base: shown ?? null,
    expected_sign: shown === undefined ? null : hashSignatureBase(shown),
    expected_signs: Object.fromEntries(bases.map(([form, base]) => [form, base === undefined ? null : hashSignatureBase(base)])) as Record<SigningForm, string | null>,
  };
}

function describeDecoded(fields: Payload, check: ReturnType<typeof checkSign> | undefined, timeZone: string): string {
  const width = Math.max(...Object.keys(fields).map((name) => name.length), 'expected sign'.length);
  const lines = Object.entries(fields).map(([name, value]) => {
    const when = name === 'timestamp' && typeof value === 'string' && /^[0-9]{1,12}$/.test(value) ? `  (${formatWallTime(Number(value), timeZone)} ${timeZone})` : '';
    const shown = value === '' ? '""  (empty: left out of the signature)' : typeof value === 'string' ? value : JSON.stringify(value);
    return `${name.padEnd(width)}  ${shown}${when}`;
  });
  if (!check) return lines.join('\n');
  lines.push('', `${'signed string'.padEnd(width)}  ${check.signature_base ?? ''}`, `${'expected sign'.padEnd(width)}  ${check.expected_sign ?? ''}`);
  if (check.sign_form) {
    lines.push(`sign OK, ${check.sign_form} form (${SIGNING_FORM_CLIENTS[check.sign_form]})`);
  } else {
    lines.push(fields.sign === undefined ? 'sign MISSING' : 'sign DOES NOT MATCH any accepted form; each form expects:');
    const formWidth = Math.max(...SIGNING_FORMS.map((form) => form.length));
    for (const form of SIGNING_FORMS) lines.push(`  ${form.padEnd(formWidth)}  ${check.expected_signs[form] ?? '(cannot sign all of this payload)'}`);
  }
  return lines.join('\n');
}
