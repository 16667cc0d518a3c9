/** The operator's commands: merchants, machines, products (the original's dashboard). */
import { InvalidArgumentError, type Command } from 'commander';
import { CALLBACK_SIGN_FORMS, isCallbackSignForm, type CallbackSignForm } from '../domain/callbacks.js';
import { AdminInputError, createMachine, createMerchant, createProduct, restockMachine, setMachine, setMerchant, setMerchantWebhook, setProductInventory } from '../service/admin.js';
import type { Store } from '../store/store.js';
import { dbFromEnvironment, ENV } from '../config.js';
import { counted, emit, EXIT, fail, parseOnOff, parseWholeNumber } from './output.js';
import * as credentials from './credentials.js';

/** Opens the store at `--db`, else where the environment says (config.ts), for one command. */
export async function withStore<T>(flag: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const db = flag ?? dbFromEnvironment();
  let store: Store;
  try {
    const schema = process.env[ENV.dbSchema] || undefined;
    // Loaded on use: the merchant's commands should not pay for the database drivers.
    const { openStore } = await import('../store/store.js');
    store = await openStore(db, schema ? { pgSchema: schema } : {});
  } catch (error) {
    fail(`cannot open the database ${db}: ${(error as Error).message}`, EXIT.API_ERROR);
  }
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof AdminInputError) fail(error.message, EXIT.USAGE);
    throw error;
  } finally {
    await store.close();
  }
}

const dbOption = ['--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB)'] as const;

function registerMerchantAdmin(program: Command): void {
  const merchant = program.command('merchant').description('manage merchants');
  merchant
    .command('create')
    .description('create a merchant and print its Appid and AppSecret (shown once)')
    .requiredOption('--name <name>', 'merchant name')
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { name: string; db?: string; json?: boolean }) => {
      const created = await withStore(options.db, (store) => createMerchant(store, { name: options.name }));
      emit(!!options.json, created, () =>
        [
          `merchant_id:    ${created.merchant_id}`,
          `appid:          ${created.appid}`,
          `app_secret:     ${created.app_secret}  (shown once; store it now)`,
          `webhook_secret: ${created.webhook_secret}  (shown once; verifies the Vendcloud-Signature of callbacks)`,
        ].join('\n'),
      );
    });

  credentials
    .withMerchantCredentialOptions(merchant.command('set'))
    .description("change a merchant's switches")
    .requiredOption('--merchant <merchant_id>', 'merchant id', parseWholeNumber(1))
    .option('--require-nonce <on|off>', 'on: refuse every signed write without a nonce (strict replay protection)', parseOnOff)
    .option('--webhook-url <url|none>', "where the merchant's events go (docs/callbacks.md); none removes it")
    .option('--rotate-webhook-secret', 'replace the webhook secret at once and print the new one (shown once)')
    .option('--allow-private-callbacks', 'accept a loopback or private address in --webhook-url (tests, a closed network)')
    .option('--callback-sign-form <form>', `form of the callbacks' MD5 sign: ${CALLBACK_SIGN_FORMS.join('|')} (auto: its latest request's)`, parseCallbackSignForm)
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .addHelpText(
      'after',
      [
        '',
        'Idempotency keys: a create, cancel or consume that carries a signed `nonce` field (or an',
        'Idempotency-Key header) runs once; a repeat with the same fields gets the first answer',
        '(kept 24 h), the same key with other fields is refused (10001). Without a key a request',
        'runs every time, as on the original platform: two identical creates make two sets.',
        '',
        'With --require-nonce on, a create, cancel or consume without a nonce in its signed payload',
        'is refused (10001); the header does not count, since it is not signed. Running servers',
        'apply the change within their merchant cache time (5 s).',
      ].join('\n'),
    )
    .action(async (options: MerchantSetOptions) => {
      const { requireNonce, webhookUrl, rotateWebhookSecret, callbackSignForm } = options;
      if (requireNonce === undefined && webhookUrl === undefined && !rotateWebhookSecret && callbackSignForm === undefined && !credentials.changesMerchantCredentials(options)) {
        fail(
          'nothing to change: give --require-nonce, --webhook-url, --rotate-webhook-secret, --callback-sign-form, --rotate-app-secret, --suspend, --rotate-signing-secret, --require-signature or --live-codes-limit',
          EXIT.USAGE,
        );
      }
      const rotated = await withStore(options.db, async (store) => {
        if (requireNonce !== undefined || callbackSignForm !== undefined) await setMerchant(store, options.merchant, { requireNonce, callbackSignForm });
        const changed = await credentials.applyMerchantCredentials(store, options.merchant, options);
        if (webhookUrl === undefined && !rotateWebhookSecret) return changed;
        const url = webhookUrl === undefined ? {} : { url: webhookUrl === 'none' ? null : webhookUrl };
        return { ...changed, ...(await setMerchantWebhook(store, options.merchant, { ...url, rotateSecret: rotateWebhookSecret === true, allowPrivate: options.allowPrivateCallbacks === true })) };
      });
      const value = {
        merchant_id: options.merchant,
        ...(requireNonce !== undefined ? { require_nonce: requireNonce } : {}),
        ...(webhookUrl !== undefined ? { webhook_url: webhookUrl === 'none' ? null : webhookUrl } : {}),
        ...(callbackSignForm !== undefined ? { callback_sign_form: callbackSignForm } : {}),
        ...rotated,
      };
      emit(!!options.json, value, () => [...merchantChangeLines(options.merchant, value), ...credentials.merchantCredentialLines(options.merchant, value)].join('\n'));
    });
}

interface MerchantSetOptions extends credentials.MerchantCredentialFlags {
  merchant: number;
  requireNonce?: boolean;
  webhookUrl?: string;
  rotateWebhookSecret?: boolean;
  allowPrivateCallbacks?: boolean;
  callbackSignForm?: CallbackSignForm;
  db?: string;
  json?: boolean;
}

function parseCallbackSignForm(value: string): CallbackSignForm {
  if (!isCallbackSignForm(value)) throw new InvalidArgumentError(`must be one of ${CALLBACK_SIGN_FORMS.join(', ')}`);
  return value;
}

function merchantChangeLines(merchantId: number, value: { require_nonce?: boolean; webhook_url?: string | null; webhook_secret?: string; callback_sign_form?: string }): string[] {
  const lines: string[] = [];
  if (value.require_nonce !== undefined) {
    lines.push(`merchant ${merchantId}: ${value.require_nonce ? 'every signed write must carry a nonce' : 'writes without a nonce are accepted'}`);
  }
  if (value.webhook_url !== undefined) lines.push(`merchant ${merchantId}: ${value.webhook_url === null ? 'no webhook' : `events go to ${value.webhook_url}`}`);
  if (value.callback_sign_form !== undefined) lines.push(`merchant ${merchantId}: callbacks signed in the ${value.callback_sign_form} form`);
  if (value.webhook_secret !== undefined) lines.push(`webhook_secret: ${value.webhook_secret}  (shown once; the old one no longer signs)`);
  return lines;
}

function registerMachineAdmin(program: Command): void {
  const machine = program.command('machine').description('manage machines');
  machine
    .command('create')
    .description("create a machine and print its MQTT password (shown once)")
    .requiredOption('--merchant <merchant_id>', 'owning merchant id', parseWholeNumber(1))
    .requiredOption('--machine-no <digits>', 'machine number (8 or more digits)')
    .option('--name <name>', 'machine name')
    .option('--pickup-codes <on|off>', 'pickup-code feature', parseOnOff, false)
    .option('--time-zone <zone>', 'machine time zone', 'Asia/Shanghai')
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { merchant: number; machineNo: string; name?: string; pickupCodes: boolean; timeZone: string; db?: string; json?: boolean }) => {
      const created = await withStore(options.db, (store) =>
        createMachine(store, {
          merchantId: options.merchant,
          machineNo: options.machineNo,
          pickupCodes: options.pickupCodes,
          timeZone: options.timeZone,
          ...(options.name ? { name: options.name } : {}),
        }),
      );
      emit(!!options.json, created, () =>
        [`machine_no:    ${created.machine_no}`, `machine_id:    ${created.machine_id}`, `mqtt_password: ${created.mqtt_password}  (shown once)`].join('\n'),
      );
    });
  credentials
    .withMachineCredentialOptions(machine.command('set'))
    .description("change a machine's switches")
    .requiredOption('--machine-no <digits>', 'machine number')
    .option('--pickup-codes <on|off>', 'pickup-code feature', parseOnOff)
    .option('--operating <on|off>', 'in operation', parseOnOff)
    .option('--link <original|extended|auto>', 'link profile: which messages the machine gets (docs/mqtt.md); auto: as the machine says')
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { machineNo: string; pickupCodes?: boolean; operating?: boolean; link?: string; db?: string; json?: boolean } & credentials.MachineCredentialFlags) => {
      const switches = options.pickupCodes !== undefined || options.operating !== undefined || options.link !== undefined;
      const changed = await withStore(options.db, async (store) => {
        if (switches || !credentials.changesMachineCredentials(options)) {
          await setMachine(store, options.machineNo, {
            ...(options.pickupCodes !== undefined ? { pickupCodes: options.pickupCodes } : {}),
            ...(options.operating !== undefined ? { operating: options.operating } : {}),
            ...(options.link !== undefined ? { link: options.link } : {}),
          });
        }
        return credentials.applyMachineCredentials(store, options.machineNo, options);
      });
      const value = { machine_no: options.machineNo, ok: true, ...changed };
      emit(!!options.json, value, () => [`machine ${options.machineNo} updated`, ...credentials.machineCredentialLines(options.machineNo, changed)].join('\n'));
    });
}

function registerProductAdmin(program: Command): void {
  const product = program.command('product').description('manage products');
  product
    .command('create')
    .description('put a product in a machine')
    .requiredOption('--machine-no <digits>', 'machine number')
    .requiredOption('--name <name>', 'product name')
    .requiredOption('--price <amount>', 'price, e.g. 1.00')
    .requiredOption('--capacity <n>', 'slot capacity', parseWholeNumber(1))
    .requiredOption('--inventory <n>', 'items in the slot now', parseWholeNumber(0))
    .option('--channel <name>', 'channel (slot) name, e.g. A1')
    .option('--category <name>', 'category title')
    .option('--on-sale <yes|no>', 'on sale', parseOnOff, true)
    .option('--floor-type <1|2|3>', 'channel type: 1 motor (stay 30 s), 2 electronic lock (15 s), 3 belt (90 s); unset 45 s', parseWholeNumber(1))
    .option('--lift <on|off>', 'a lift carries the item down (is_lp)', parseOnOff, false)
    .option('--drop-detection <on|off>', 'the channel detects the drop (is_dc)', parseOnOff, false)
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(
      async (options: {
        machineNo: string;
        name: string;
        price: string;
        capacity: number;
        inventory: number;
        channel?: string;
        category?: string;
        onSale: boolean;
        floorType?: number;
        lift: boolean;
        dropDetection: boolean;
        db?: string;
        json?: boolean;
      }) => {
        const created = await withStore(options.db, (store) =>
          createProduct(store, {
            machineNo: options.machineNo,
            name: options.name,
            price: options.price,
            capacity: options.capacity,
            inventory: options.inventory,
            onSale: options.onSale,
            lift: options.lift,
            dropDetection: options.dropDetection,
            ...(options.floorType !== undefined ? { floorType: options.floorType } : {}),
            ...(options.channel ? { channel: options.channel } : {}),
            ...(options.category ? { category: options.category } : {}),
          }),
        );
        emit(!!options.json, created, () => `product ${created.id} created`);
      },
    );
  registerStockAdmin(product);
}

function registerStockAdmin(product: Command): void {
  product
    .command('restock')
    .description("put a machine's products (or one) on sale, refilled to capacity")
    .requiredOption('--machine-no <digits>', 'machine number')
    .option('--product <id>', 'only this product', parseWholeNumber(1))
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { machineNo: string; product?: number; db?: string; json?: boolean }) => {
      const restocked = await withStore(options.db, (store) => restockMachine(store, options.machineNo, options.product));
      emit(!!options.json, { machine_no: options.machineNo, restocked }, () => `${counted(restocked, 'product')} of machine ${options.machineNo} restocked`);
    });
  product
    .command('set')
    .description("set a product's stock (0 to its capacity)")
    .requiredOption('--id <id>', 'product id', parseWholeNumber(1))
    .requiredOption('--inventory <n>', 'items in stock', parseWholeNumber(0))
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { id: number; inventory: number; db?: string; json?: boolean }) => {
      await withStore(options.db, (store) => setProductInventory(store, options.id, options.inventory));
      emit(!!options.json, { id: options.id, inventory: options.inventory }, () => `product ${options.id} has ${options.inventory} in stock`);
    });
}

function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .option(...dbOption)
    .option('--json', 'print one JSON line')
    .action(async (options: { db?: string; json?: boolean }) => {
      await withStore(options.db, async () => undefined);
      emit(!!options.json, { migrated: true }, () => 'database is up to date');
    });
}

export function registerAdminCommands(program: Command): void {
  for (const register of [registerMerchantAdmin, registerMachineAdmin, registerProductAdmin, registerMigrate]) register(program);
}

