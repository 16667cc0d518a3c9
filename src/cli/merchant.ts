/**
 * The merchant's commands: the Open API from a terminal, through the SDK. Each command
 * reads its arguments, makes one or two SDK calls and prints the result; credentials come
 * from flags or the VENDCLOUD_* environment variables.
 */
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { NetworkError, OpenApiError, VendcloudClient, type PickupCode, type PickupOrder } from '../client/index.js';
import { isMachineNo } from '../domain/fields.js';
import { DEFAULT_TIME_ZONE, formatWallTime, parseWallTime } from '../protocol/time.js';
import { CODE_STATUS_FILTERS } from '../protocol/code-status.js';
import { emit, EXIT, fail, parseWholeNumber, table, UsageError } from './output.js';

interface ConnectionFlags {
  url?: string;
  appid?: string;
  appSecret?: string;
  merchantId?: string;
  timeout?: number;
  timeZone: string;
  json?: boolean;
}

function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'server root URL, e.g. http://127.0.0.1:8080 (env VENDCLOUD_URL)')
    .option('--appid <appid>', 'Appid (env VENDCLOUD_APPID)')
    .option('--app-secret <secret>', 'AppSecret; prefer the env VENDCLOUD_APPSECRET, flags show in `ps`')
    .option('--merchant-id <id>', 'merchant id, the signing key (env VENDCLOUD_MERCHANT_ID)')
    .option('--timeout <ms>', 'per attempt, milliseconds', parseWholeNumber(1))
    .option('--time-zone <zone>', 'the platform time zone of the server', process.env.VENDCLOUD_TIME_ZONE ?? DEFAULT_TIME_ZONE)
    .option('--json', 'print one JSON line');
}

function clientFrom(flags: ConnectionFlags): VendcloudClient {
  const setting = (flag: string | undefined, env: string, name: string): string => {
    const value = flag ?? process.env[env];
    if (!value) throw new UsageError(`missing ${name}: give --${name} or set ${env}`);
    return value;
  };
  const options = {
    baseUrl: setting(flags.url, 'VENDCLOUD_URL', 'url'),
    appId: setting(flags.appid, 'VENDCLOUD_APPID', 'appid'),
    appSecret: setting(flags.appSecret, 'VENDCLOUD_APPSECRET', 'app-secret'),
    merchantId: setting(flags.merchantId, 'VENDCLOUD_MERCHANT_ID', 'merchant-id'),
    timeZone: flags.timeZone,
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
  };
  try {
    return new VendcloudClient(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** What a command prints: the value for --json, the text otherwise. */
interface Output {
  value: unknown;
  human: () => string;
}

/** Runs a command's SDK work and maps its outcome to output and exit code. */
function merchantAction<F extends ConnectionFlags>(run: (client: VendcloudClient, flags: F, show: Show) => Promise<Output | undefined>) {
  return async (flags: F) => {
    try {
      const output = await run(clientFrom(flags), flags, new Show(flags.timeZone));
      if (output) emit(!!flags.json, output.value, output.human);
    } catch (error) {
      if (error instanceof UsageError) fail(error.message, EXIT.USAGE);
      if (error instanceof OpenApiError) {
        if (flags.json) {
          emit(true, { error: { code: error.code, message: error.message, http_status: error.httpStatus, data: error.data, request_id: error.requestId } }, () => '');
        }
        const data = Object.keys(error.data).length > 0 ? ` ${JSON.stringify(error.data)}` : '';
        fail(`API error ${error.code} ${error.message}${data} (HTTP ${error.httpStatus}, request ${error.requestId ?? 'unknown'})`, EXIT.API_ERROR);
      }
      if (error instanceof NetworkError) fail(`network error: ${error.message}`, EXIT.NETWORK);
      throw error;
    }
  };
}

/** How records read in a terminal: times in the platform zone, absent values as "-". */
class Show {
  constructor(private readonly timeZone: string) {}

  time(date: Date | undefined): string {
    return date ? formatWallTime(date.getTime() / 1000, this.timeZone) : '-';
  }

  codes(codes: PickupCode[]): string {
    if (codes.length === 0) return '(no pickup codes)';
    return table(
      ['ID', 'PRODUCT', 'CODE', 'STATUS', 'CREATED', 'EXPIRES'],
      codes.map((c) => [String(c.id), String(c.productId), c.code, c.status, this.time(c.createdAt), c.expiredAt ? this.time(c.expiredAt) : 'never']),
    );
  }

  order(order: PickupOrder): string {
    const lines = [`order ${order.orderId}  ${order.status}  trade ${order.tradeId ?? '-'}  amount ${order.amount ?? '-'}  on ${this.time(order.date).slice(0, 10)}`];
    for (const record of order.records) lines.push(`  record ${record.id}: product ${record.productId} × ${record.quantity} at ${record.price ?? '-'} (${record.status ?? '-'})`);
    lines.push(`  pickup code ${order.pickupCodeId} is now USED`);
    return lines.join('\n');
  }
}

function machineNo(value: string): string {
  if (!isMachineNo(value)) throw new InvalidArgumentError('must be 8 or more digits');
  return value;
}

function wallTime(value: string): string {
  if (parseWallTime(value) === undefined) throw new InvalidArgumentError('must be "YYYY-MM-DD HH:mm:ss"');
  return value;
}

const machineOption = ['--machine-no <digits>', 'machine number', machineNo] as const;

async function confirmed(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

export function registerMerchantCommands(program: Command): void {
  withConnection(program.command('ping').description('check the Open API credentials')).action(
    merchantAction(async (client, flags) => {
      const answer = await client.ping();
      return { value: { data: answer }, human: () => `${answer} (${flags.url ?? process.env.VENDCLOUD_URL})` };
    }),
  );

  withConnection(program.command('machines').description("list the merchant's machines")).action(
    merchantAction(async (client, _flags, show) => {
      const machines = await client.listMachines();
      return {
        value: machines,
        human: () =>
          table(
            ['MACHINE_NO', 'NAME', 'ONLINE', 'OPERATING', 'CREATED', 'ADDRESS'],
            machines.map((m) => [m.machineNo, m.machineName ?? '-', m.isOnline ? 'yes' : 'no', m.status ? 'yes' : 'no', show.time(m.createdAt), m.address ?? '-']),
          ),
      };
    }),
  );

  withConnection(program.command('products').description("list a machine's products"))
    .requiredOption(...machineOption)
    .option('--page <n>', 'page', parseWholeNumber(1))
    .option('--per-page <n>', 'products per page (max 100)', parseWholeNumber(1))
    .option('--category <id>', 'category id (0 = all)', parseWholeNumber(0))
    .option('--cabinet <name>', 'cabinet name (default A)')
    .option('--all', 'every product on one page')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; page?: number; perPage?: number; category?: number; cabinet?: string; all?: boolean }) => {
        const page = await client.listProducts(flags.machineNo, {
          ...(flags.page !== undefined ? { page: flags.page } : {}),
          ...(flags.perPage !== undefined ? { perPage: flags.perPage } : {}),
          ...(flags.category !== undefined ? { categoryId: flags.category } : {}),
          ...(flags.cabinet !== undefined ? { cabinetName: flags.cabinet } : {}),
          ...(flags.all ? { selectAll: true } : {}),
        });
        return {
          value: page,
          human: () =>
            [
              table(
                ['ID', 'NAME', 'PRICE', 'STOCK', 'CAPACITY', 'CHANNEL', 'CATEGORY', 'ON_SALE'],
                page.data.map((p) => [
                  String(p.id),
                  p.good.name ?? '-',
                  p.good.price ?? '-',
                  String(p.currentInventory),
                  String(p.inventory),
                  p.channel.name ?? '-',
                  p.category?.title ?? '-',
                  p.onSale ? 'yes' : 'no',
                ]),
              ),
              `page ${page.currentPage}/${page.lastPage}, ${page.total} product${page.total === 1 ? '' : 's'}`,
            ].join('\n'),
        };
      }),
    );

  const codes = program.command('codes').description('create, list, cancel and consume pickup codes');

  withConnection(codes.command('create').description('create pickup codes for one product'))
    .requiredOption(...machineOption)
    .requiredOption('--product <id>', 'product id', parseWholeNumber(1))
    .option('--count <n>', 'how many codes (default 1)', parseWholeNumber(1))
    .option('--length <digits>', 'digits per code, 6-10 (default 6)', parseWholeNumber(1))
    .option('--expires <time>', 'expiry "YYYY-MM-DD HH:mm:ss" in the platform time zone (default: never)', wallTime)
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; product: number; count?: number; length?: number; expires?: string }, show) => {
        const created = await client.createPickupCodes(flags.machineNo, {
          productId: flags.product,
          ...(flags.count !== undefined ? { count: flags.count } : {}),
          ...(flags.length !== undefined ? { codeLength: flags.length } : {}),
          ...(flags.expires !== undefined ? { expiredAt: flags.expires } : {}),
        });
        return { value: created, human: () => `created ${created.length} pickup code${created.length === 1 ? '' : 's'}\n${show.codes(created)}` };
      }),
    );

  withConnection(codes.command('create-all').description('top every on-sale product up to one code per item in stock'))
    .requiredOption(...machineOption)
    .option('--length <digits>', 'digits per code, 6-10 (default 6)', parseWholeNumber(1))
    .option('--expires <time>', 'expiry "YYYY-MM-DD HH:mm:ss" in the platform time zone (default: never)', wallTime)
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; length?: number; expires?: string }, show) => {
        const created = await client.createPickupCodesForAllProducts(flags.machineNo, {
          ...(flags.length !== undefined ? { codeLength: flags.length } : {}),
          ...(flags.expires !== undefined ? { expiredAt: flags.expires } : {}),
        });
        return { value: created, human: () => `created ${created.length} pickup code${created.length === 1 ? '' : 's'}\n${show.codes(created)}` };
      }),
    );

  withConnection(codes.command('list').description("list a machine's pickup codes"))
    .requiredOption(...machineOption)
    .option('--product <id>', 'only this product', parseWholeNumber(1))
    .addOption(new Option('--status <status>', 'which codes (default UNUSED)').choices(CODE_STATUS_FILTERS))
    .option('--page <n>', 'page', parseWholeNumber(1))
    .option('--per-page <n>', 'codes per page (max 100)', parseWholeNumber(1))
    .action(
      merchantAction(
        async (client, flags: ConnectionFlags & { machineNo: string; product?: number; status?: (typeof CODE_STATUS_FILTERS)[number]; page?: number; perPage?: number }, show) => {
          // One product's live codes is the original's query; anything else needs the extension.
          if (flags.product !== undefined && flags.status === undefined && flags.page === undefined && flags.perPage === undefined) {
            const live = await client.listPickupCodes(flags.machineNo, flags.product);
            return { value: live, human: () => show.codes(live) };
          }
          const page = await client.queryPickupCodes(flags.machineNo, {
            ...(flags.product !== undefined ? { productId: flags.product } : {}),
            ...(flags.status !== undefined ? { status: flags.status } : {}),
            ...(flags.page !== undefined ? { page: flags.page } : {}),
            ...(flags.perPage !== undefined ? { perPage: flags.perPage } : {}),
          });
          return {
            value: page,
            human: () => `${show.codes(page.data)}\npage ${page.currentPage}/${page.lastPage}, ${page.total} code${page.total === 1 ? '' : 's'}`,
          };
        },
      ),
    );

  withConnection(codes.command('cancel').description('cancel one pickup code'))
    .requiredOption(...machineOption)
    .requiredOption('--id <id>', 'pickup code id', parseWholeNumber(1))
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; id: number }) => {
        await client.cancelPickupCode(flags.machineNo, flags.id);
        return { value: { cancelled: flags.id }, human: () => `cancelled pickup code ${flags.id}` };
      }),
    );

  withConnection(codes.command('cancel-all').description('cancel every unused pickup code of a machine'))
    .requiredOption(...machineOption)
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; yes?: boolean }) => {
        if (!flags.yes) {
          if (!process.stdin.isTTY) throw new UsageError('cancel-all needs --yes when stdin is not a terminal');
          if (!(await confirmed(`Cancel every unused pickup code of machine ${flags.machineNo}? [y/N] `))) {
            process.stderr.write('nothing cancelled\n');
            return undefined;
          }
        }
        const count = await client.cancelAllPickupCodes(flags.machineNo);
        return { value: { count }, human: () => `cancelled ${count} pickup code${count === 1 ? '' : 's'} of machine ${flags.machineNo}` };
      }),
    );

  withConnection(codes.command('consume').description('spend a pickup code through the API (creates a PICKUPCODE order)'))
    .requiredOption(...machineOption)
    .requiredOption('--product <id>', 'product id', parseWholeNumber(1))
    .requiredOption('--code <digits>', 'the pickup code')
    .requiredOption('--trade-id <id>', 'your order number, 20-32 letters, digits, _ or -')
    .requiredOption('--notify-url <url>', 'http(s) URL to notify')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; product: number; code: string; tradeId: string; notifyUrl: string }, show) => {
        const order = await client.consumePickupCode(flags.machineNo, {
          code: flags.code,
          productId: flags.product,
          tradeId: flags.tradeId,
          notifyUrl: flags.notifyUrl,
        });
        return { value: order, human: () => show.order(order) };
      }),
    );
}
